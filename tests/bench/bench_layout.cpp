// Layout of the layer graph (core layoutGraph: scaffold + Graphviz dot + edge routing)
// on real models from TOPIARY_REFERENCE_DIR (default /work/main/build/fixtures/torchvision,
// else build/fixtures/torchvision). The peer, in the same run, is Graphviz with its
// default limits and its own spline router on the same graph (the `dot` program is not
// installed here; this is what `dot` would do with the same input). Defaults take ~100 s on
// densenet121, so the peer runs on resnet50 only; the ratio is printed by
// run-benchmarks.sh as peer / Topiary.
#include "core/analysis/GraphLayout.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>

namespace {

std::filesystem::path modelPath(const char* name)
{
    if (const char* dir = std::getenv("TOPIARY_REFERENCE_DIR"))
        return std::filesystem::path(dir) / name;
    const std::filesystem::path shared = "/work/main/build/fixtures/torchvision";
    if (std::filesystem::exists(shared / name))
        return shared / name;
    return std::filesystem::path("build/fixtures/torchvision") / name;
}

struct Loaded {
    topiary::Model model;
    std::vector<topiary::Layer> layers;
};

// Loaded once per model: only the layout is timed.
const Loaded* load(const char* file, benchmark::State& state)
{
    static std::map<std::string, std::unique_ptr<Loaded>> cache;
    auto& slot = cache[file];
    if (!slot) {
        auto model = topiary::Model::load(modelPath(file));
        if (!model) {
            state.SkipWithError(model.error().message.c_str());
            return nullptr;
        }
        auto layers = topiary::findLayers(*model);
        slot = std::make_unique<Loaded>(Loaded{std::move(*model), std::move(layers)});
    }
    return slot.get();
}

void layout(benchmark::State& state, const char* file, bool compact, bool graphvizDefaults)
{
    const Loaded* loaded = load(file, state);
    if (!loaded)
        return;
    topiary::GraphLayoutOptions options;
    options.compact = compact;
    options.graphvizDefaultLimits = graphvizDefaults;
    size_t nodes = 0, edges = 0;
    for (auto _ : state) {
        auto result = topiary::layoutGraph(loaded->model, loaded->layers, options);
        if (!result) {
            state.SkipWithError(result.error().message.c_str());
            return;
        }
        nodes = result->nodes.size();
        edges = result->edges.size();
        benchmark::DoNotOptimize(result->width);
    }
    state.counters["boxes"] = static_cast<double>(nodes);
    state.counters["arrows"] = static_cast<double>(edges);
}

} // namespace

BENCHMARK_CAPTURE(layout, resnet50, "resnet50_bn.onnx", false, false)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK_CAPTURE(layout, resnet50_compact, "resnet50_bn.onnx", true, false)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK_CAPTURE(layout, densenet121, "densenet121_bn.onnx", false, false)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(layout, densenet121_compact, "densenet121_bn.onnx", true, false)->Unit(benchmark::kMillisecond)->Iterations(3);
// Peer: Graphviz's own limits and spline routing, same graph, same box sizes.
BENCHMARK_CAPTURE(layout, resnet50_graphvizDefaults, "resnet50_bn.onnx", false, true)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK_CAPTURE(layout, resnet50_compact_graphvizDefaults, "resnet50_bn.onnx", true, true)->Unit(benchmark::kMillisecond)->Iterations(5);

BENCHMARK_MAIN();
