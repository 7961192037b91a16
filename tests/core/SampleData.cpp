#include "SampleData.h"

#include <stdexcept>

namespace topiary::test {

namespace {

template <class T>
T required(Result<T> result, const std::filesystem::path& path)
{
    if (!result)
        throw std::runtime_error("the sample " + path.string() + ": " + result.error().message);
    return std::move(*result);
}

} // namespace

std::filesystem::path sampleDir()
{
    return std::filesystem::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";
}

const Model& sampleModel()
{
    static const Model model = required(Model::load(sampleDir() / "fashion_cnn.onnx"), sampleDir() / "fashion_cnn.onnx");
    return model;
}

Dataset sampleData()
{
    const auto images = sampleDir() / "fashion-mnist-test-1000-images-idx3-ubyte";
    return required(Dataset::open(images), images);
}

PreprocessSpec sampleSpec()
{
    const auto file = sampleDir() / "preprocess.json";
    return required(loadPreprocess(file), file);
}

} // namespace topiary::test
