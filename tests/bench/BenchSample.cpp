#include "BenchSample.h"

#include <cstdlib>

namespace topiary::bench {

std::filesystem::path sampleDir()
{
    const char* dir = std::getenv("TOPIARY_SAMPLE_DIR");
    return dir ? std::filesystem::path(dir) : std::filesystem::path("resources/sample");
}

std::optional<Sample> loadSample(benchmark::State& state)
{
    auto model = Model::load(sampleDir() / "fashion_cnn.onnx");
    auto dataset = Dataset::open(sampleDir() / "fashion-mnist-test-1000-images-idx3-ubyte");
    auto spec = loadPreprocess(sampleDir() / "preprocess.json");
    if (!model || !dataset || !spec) {
        state.SkipWithError("cannot read the bundled sample (run from the source tree or set TOPIARY_SAMPLE_DIR)");
        return std::nullopt;
    }
    return Sample { std::move(*model), std::move(*dataset), std::move(*spec) };
}

} // namespace topiary::bench
