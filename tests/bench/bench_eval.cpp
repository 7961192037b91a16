// Evaluation speed on the bundled sample and its 1,000 images: a full evaluation, a full
// sensitivity analysis (element L1, ratios 0..0.9, every layer), and the latency from a
// one-layer change in the last third of the network to the final number (incremental:
// activations up to the change cached by an earlier run). Peers in the same run:
// tests/bench/ort_eval_peer.js (ONNX Runtime) and tests/bench/sensitivity_peer.py (PyTorch).
#include "core/export/Apply.h"
#include "core/data/Dataset.h"
#include "core/eval/Evaluator.h"
#include "core/eval/IncrementalEvaluator.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"
#include "core/analysis/Sensitivity.h"
#include "core/eval/SubModel.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace {

namespace fs = std::filesystem;

fs::path sampleDir()
{
    const char* dir = std::getenv("TOPIARY_SAMPLE_DIR");
    return dir ? fs::path(dir) : fs::path("resources/sample");
}

struct Sample {
    topiary::Model model;
    topiary::Dataset dataset;
    topiary::PreprocessSpec spec;
};

std::optional<Sample> loadSample(benchmark::State& state)
{
    auto model = topiary::Model::load(sampleDir() / "fashion_cnn.onnx");
    auto dataset = topiary::Dataset::open(sampleDir() / "fashion-mnist-test-1000-images-idx3-ubyte");
    auto spec = topiary::loadPreprocess(sampleDir() / "preprocess.json");
    if (!model || !dataset || !spec) {
        state.SkipWithError("cannot read the bundled sample (run from the source tree or set TOPIARY_SAMPLE_DIR)");
        return std::nullopt;
    }
    return Sample { std::move(*model), std::move(*dataset), std::move(*spec) };
}

void fullEvaluation(benchmark::State& state)
{
    auto s = loadSample(state);
    if (!s)
        return;
    topiary::EvaluationOptions options;
    options.keepOutputs = false;
    const topiary::Evaluator evaluator(s->dataset, s->spec, options);
    for (auto _ : state) {
        auto r = evaluator.run(s->model.proto());
        if (!r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
    }
    state.counters["images_per_s"]
        = benchmark::Counter(static_cast<double>(s->dataset.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void sensitivityAnalysis(benchmark::State& state)
{
    auto s = loadSample(state);
    if (!s)
        return;
    const topiary::Evaluator evaluator(s->dataset, s->spec, {});
    topiary::SensitivityOptions sweep; // element L1, ratios 0, 0.1, ..., 0.9, every layer
    size_t points = 0;
    for (auto _ : state) {
        auto r = topiary::analyseSensitivity(s->model, evaluator, sweep);
        if (!r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
        points = r->points.size();
    }
    state.counters["points"] = static_cast<double>(points);
}

// A slider move on a layer in the last third: apply the new plan and re-evaluate 1,000
// images with the activations before it cached by an earlier run.
void oneLayerChange(benchmark::State& state)
{
    auto s = loadSample(state);
    if (!s)
        return;
    const auto layers = topiary::findLayers(s->model);
    const int target = static_cast<int>(layers.size() * 2 / 3);
    auto cut = topiary::cutBeforeLayer(s->model, layers, target);
    if (!cut) {
        state.SkipWithError(cut.error().message.c_str());
        return;
    }
    topiary::EvaluationOptions options;
    options.keepOutputs = false;
    auto incremental = topiary::IncrementalEvaluator::create(s->model, std::move(*cut), s->dataset, s->spec, options);
    if (!incremental || !incremental->run(s->model.proto())) {
        state.SkipWithError("cannot prepare the incremental evaluator");
        return;
    }
    double ratio = 0.1;
    double firstEstimate = 0.0;
    for (auto _ : state) {
        ratio = ratio >= 0.8 ? 0.1 : ratio + 0.1;
        const auto start = std::chrono::steady_clock::now();
        bool first = true;
        const topiary::Plan plan = topiary::Plan().withPrune(layers[static_cast<size_t>(target)].name,
            topiary::PruneSpec { topiary::PruneGranularity::Element, topiary::Criterion::L1, topiary::PruneMode::Ratio, ratio });
        auto applied = topiary::apply(s->model, plan);
        auto r = incremental->run(applied->proto, [&](const topiary::EvaluationMetrics&) {
            if (first)
                firstEstimate += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            first = false;
        });
        if (!r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
    }
    state.counters["first_estimate_ms"] = 1000.0 * firstEstimate / static_cast<double>(state.iterations());
    state.SetLabel(layers[static_cast<size_t>(target)].name);
}

} // namespace

BENCHMARK(fullEvaluation)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(sensitivityAnalysis)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(oneLayerChange)->Unit(benchmark::kMillisecond)->Iterations(10);

BENCHMARK_MAIN();
