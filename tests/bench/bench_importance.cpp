// Filter importance (L1, L2 and FPGM) for every layer of a model, as the heatmap panel
// computes it when a model is opened. Models come from TOPIARY_BENCH_MODELS (default:
// build/fixtures/torchvision); tests/bench/importance_peer.py times the numpy peer.
#include "core/compress/Importance.h"
#include "core/model/Layer.h"
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

enum Scores { Fpgm = 1, Norms = 2 };

void allLayers(benchmark::State& state, const char* file, int which)
{
    auto model = topiary::Model::load(modelPath(file));
    if (!model) {
        state.SkipWithError(model.error().message.c_str());
        return;
    }
    const auto layers = topiary::findLayers(*model);
    int64_t filters = 0;
    for (auto _ : state) {
        filters = 0;
        for (const auto& layer : layers) {
            auto m = topiary::filterMatrix(*model, layer);
            if (!m) {
                state.SkipWithError(m.error().message.c_str());
                return;
            }
            if (which & Norms) {
                benchmark::DoNotOptimize(topiary::l1Scores(*m).data());
                benchmark::DoNotOptimize(topiary::l2Scores(*m).data());
            }
            if (which & Fpgm)
                benchmark::DoNotOptimize(topiary::fpgmScores(*m).data());
            filters += m->rows();
        }
    }
    state.counters["layers"] = static_cast<double>(layers.size());
    state.counters["filters"] = static_cast<double>(filters);
}

} // namespace

BENCHMARK_CAPTURE(allLayers, fpgm_l1_l2_resnet50, "resnet50_bn.onnx", Fpgm | Norms)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(allLayers, fpgm_resnet50, "resnet50_bn.onnx", Fpgm)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(allLayers, l1_l2_resnet50, "resnet50_bn.onnx", Norms)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(allLayers, fpgm_l1_l2_vgg16, "vgg16_bn.onnx", Fpgm | Norms)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);
BENCHMARK_CAPTURE(allLayers, l1_l2_vgg16, "vgg16_bn.onnx", Norms)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
