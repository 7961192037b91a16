// The trainer's ONNX -> libtorch bridge (train::GraphRunner) as an evaluation backend,
// measured against OpenCV (OpenCvNet, as Topiary evaluates) on the bundled sample: the
// 1,000 images preprocessed once, then a forward pass of every batch of 100 with each,
// one after the other in the same process; the two must predict the same classes (checked
// before timing). This program links libtorch (topiary_train): it is not the CLI.
//
// Threads: TOPIARY_THREADS sets cv::setNumThreads, OMP_NUM_THREADS libtorch's (its OpenMP
// reads it when the library loads); tests/bench/run-eval-benchmarks.sh sets both alike.
#include "BenchSample.h"

#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/data/Preprocessor.h"
#include "core/eval/OpenCvNet.h"
#include "core/model/Model.h"
#include "train/GraphRunner.h"

#include <benchmark/benchmark.h>
#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>

namespace {

constexpr int kBatch = 100;

struct Prepared {
    topiary::Model model;
    std::vector<std::vector<float>> batches; // kBatch x 1 x 28 x 28 each
    std::vector<int64_t> dims; // of one batch
};

std::optional<Prepared> prepare(benchmark::State& state)
{
    auto sample = topiary::bench::loadSample(state);
    if (!sample)
        return std::nullopt;
    auto& [model, dataset, spec] = *sample;
    auto pre = topiary::Preprocessor::create(spec);
    if (!pre) {
        state.SkipWithError(pre.error().message.c_str());
        return std::nullopt;
    }
    Prepared p { std::move(model), {}, { kBatch, spec.channels, spec.height, spec.width } };
    const size_t per = pre->floatsPerImage();
    for (size_t first = 0; first + kBatch <= dataset.size(); first += kBatch) {
        std::vector<float> batch(per * kBatch);
        for (size_t i = 0; i < kBatch; ++i) {
            auto image = dataset.image(first + i);
            if (!image || !pre->write(*image, batch.data() + i * per)) {
                state.SkipWithError("an image of the sample does not decode");
                return std::nullopt;
            }
        }
        p.batches.push_back(std::move(batch));
    }
    return p;
}

std::vector<int> argmaxRows(const float* values, int rows, int cols)
{
    std::vector<int> out;
    for (int r = 0; r < rows; ++r)
        out.push_back(static_cast<int>(std::max_element(values + r * cols, values + (r + 1) * cols) - (values + r * cols)));
    return out;
}

// range(0): 0 = OpenCV, 1 = libtorch through GraphRunner.
void forwardPasses(benchmark::State& state)
{
    auto p = prepare(state);
    if (!p)
        return;
    auto cvNet = topiary::OpenCvNet::create(p->model.proto());
    auto torchNet = topiary::train::GraphRunner::create(p->model.proto());
    if (!cvNet || !torchNet) {
        state.SkipWithError("a backend cannot run the sample");
        return;
    }
    std::vector<int> dims(p->dims.begin(), p->dims.end());
    auto runCv = [&](std::vector<float>& batch) -> std::vector<int> {
        cv::Mat blob(4, dims.data(), CV_32F, batch.data());
        auto out = cvNet->forward(blob);
        return out ? argmaxRows(out->ptr<float>(), kBatch, out->size[1]) : std::vector<int> {};
    };
    auto runTorch = [&](std::vector<float>& batch) -> std::vector<int> {
        auto out = torchNet->forward({ topiary::train::FloatTensor { p->dims, batch } });
        if (!out || out->empty())
            return {};
        const auto& o = out->front();
        return argmaxRows(o.values.data(), kBatch, static_cast<int>(o.shape.back()));
    };
    // The same network: every prediction agrees before anything is timed.
    size_t differing = 0;
    for (auto& batch : p->batches) {
        const auto a = runCv(batch), b = runTorch(batch);
        if (a.empty() || b.empty()) {
            state.SkipWithError("a forward pass failed");
            return;
        }
        for (size_t i = 0; i < a.size(); ++i)
            differing += a[i] != b[i];
    }
    const bool torch = state.range(0) == 1;
    for (auto _ : state)
        for (auto& batch : p->batches)
            benchmark::DoNotOptimize(torch ? runTorch(batch) : runCv(batch));
    state.counters["differing_predictions"] = static_cast<double>(differing);
    state.counters["images_per_s"] = benchmark::Counter(
        static_cast<double>(p->batches.size() * kBatch), benchmark::Counter::kIsIterationInvariantRate);
}

} // namespace

BENCHMARK(forwardPasses)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(5)->MeasureProcessCPUTime()->UseRealTime();

int main(int argc, char** argv)
{
    if (const char* t = std::getenv("TOPIARY_THREADS"))
        cv::setNumThreads(std::max(1, std::atoi(t)));
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
