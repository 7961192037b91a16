// Stats recomputation on every slider move, and apply + export of a whole plan.
// Peers in the same run: the full CostModel (what a naive recomputation would redo) for
// stats; tests/bench/apply_peer.py (numpy + onnx.save) for export.
#include "core/export/Apply.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/plan/Plan.h"
#include "core/analysis/Stats.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

namespace {

std::filesystem::path modelPath(const char* name)
{
    const char* dir = std::getenv("TOPIARY_BENCH_MODELS");
    return std::filesystem::path(dir ? dir : "build/fixtures/torchvision") / name;
}

const topiary::PruneSpec kFilter30 { topiary::PruneGranularity::Filter, topiary::Criterion::L1,
    topiary::PruneMode::Ratio, 0.3 };

// One slider move: the plan changes one layer's ratio, the stats are recomputed.
void statsAfterOneEdit(benchmark::State& state, const char* file)
{
    auto model = topiary::Model::load(modelPath(file));
    if (!model) {
        state.SkipWithError(model.error().message.c_str());
        return;
    }
    const topiary::CostModel cost(*model);
    const auto groups = topiary::findDependencyGroups(*model, cost.layers());
    const topiary::StatsModel stats(*model, cost, groups);
    const topiary::Plan base = topiary::pruneAllConvs({}, cost.layers(), groups, kFilter30, true);
    const std::string layer = cost.layers()[cost.layers().size() / 2].name;
    int step = 0;
    for (auto _ : state) {
        auto spec = base.spec(layer);
        spec.quant = topiary::QuantSpec { topiary::QuantScheme::Uniform, 2 + (step++ % 7), true, true };
        const topiary::Plan plan = base.with(layer, spec);
        benchmark::DoNotOptimize(stats.compute(plan).params);
    }
}

void costModelPeer(benchmark::State& state, const char* file)
{
    auto model = topiary::Model::load(modelPath(file));
    if (!model) {
        state.SkipWithError(model.error().message.c_str());
        return;
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(topiary::CostModel(*model).totals().params);
}

// Masked or shrunk export of "prune every conv 30% by L1" to a file.
void applyAndWrite(benchmark::State& state, const char* file, bool shrink)
{
    auto model = topiary::Model::load(modelPath(file));
    if (!model) {
        state.SkipWithError(model.error().message.c_str());
        return;
    }
    const auto layers = topiary::findLayers(*model);
    const auto groups = topiary::findDependencyGroups(*model, layers);
    const topiary::Plan plan = topiary::pruneAllConvs({}, layers, groups, kFilter30, false);
    const auto out = std::filesystem::temp_directory_path() / "topiary_bench_apply.onnx";
    for (auto _ : state) {
        auto applied = topiary::apply(*model, plan, topiary::ApplyOptions { shrink, false });
        if (!applied) {
            state.SkipWithError(applied.error().message.c_str());
            return;
        }
        auto written = topiary::writeModel(applied->proto, out, { modelPath(file), false });
        if (!written) {
            state.SkipWithError(written.error().message.c_str());
            return;
        }
    }
    std::filesystem::remove(out);
}

} // namespace

BENCHMARK_CAPTURE(statsAfterOneEdit, resnet50, "resnet50_bn.onnx")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(costModelPeer, resnet50, "resnet50_bn.onnx")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(statsAfterOneEdit, densenet121, "densenet121_bn.onnx")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(costModelPeer, densenet121, "densenet121_bn.onnx")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(applyAndWrite, resnet50_masked, "resnet50_bn.onnx", false)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(applyAndWrite, resnet50_shrunk, "resnet50_bn.onnx", true)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
