// Loading (parse + validation + checker + shape inference) and cost computation on
// real models. Models come from the reference fixture folder given in
// TOPIARY_BENCH_MODELS (default: build/fixtures/torchvision).
#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

namespace {

std::filesystem::path modelPath(const char* name)
{
    const char* dir = std::getenv("TOPIARY_BENCH_MODELS");
    return std::filesystem::path(dir ? dir : "build/fixtures/torchvision") / name;
}

void loadInferCost(benchmark::State& state, const char* file)
{
    const auto path = modelPath(file);
    for (auto _ : state) {
        auto model = topiary::Model::load(path);
        if (!model) {
            state.SkipWithError(model.error().message.c_str());
            return;
        }
        topiary::CostModel cost(*model);
        benchmark::DoNotOptimize(cost.totals().linearMacs);
    }
}

void costOnly(benchmark::State& state, const char* file)
{
    auto model = topiary::Model::load(modelPath(file));
    if (!model) {
        state.SkipWithError(model.error().message.c_str());
        return;
    }
    for (auto _ : state) {
        topiary::CostModel cost(*model);
        benchmark::DoNotOptimize(cost.totals().linearMacs);
    }
}

} // namespace

BENCHMARK_CAPTURE(loadInferCost, resnet50, "resnet50_bn.onnx")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(loadInferCost, vgg16, "vgg16_bn.onnx")->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(costOnly, resnet50, "resnet50_bn.onnx")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(costOnly, densenet121, "densenet121_bn.onnx")->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
