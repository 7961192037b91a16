// Evaluation speed on the bundled sample and its 1,000 images: a full evaluation at several
// batch sizes, a full sensitivity analysis (element L1, ratios 0..0.9, every layer; exact,
// and with sequential stopping), the latency from a one-layer change in the last third of
// the network to the final number, a profile of one sensitivity point by stage, and
// OpenCV's time per layer of a full evaluation.
// Peers in the same run (tests/bench/run-benchmarks.sh): tests/bench/ort_eval_peer.js
// (ONNX Runtime) and tests/bench/sensitivity_peer.py (PyTorch, evaluation and sensitivity).
//
// TOPIARY_THREADS sets cv::setNumThreads (default: OpenCV's, one per core); TOPIARY_BATCH
// the batch of the sensitivity runs (default 100, as the PyTorch peer's).
#include "BenchSample.h"

#include "core/analysis/Sensitivity.h"
#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/data/Preprocessor.h"
#include "core/eval/Evaluator.h"
#include "core/eval/IncrementalEvaluator.h"
#include "core/eval/OpenCvNet.h"
#include "core/eval/SubModel.h"
#include "core/eval/SwappableNet.h"
#include "core/export/Apply.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"

#include <benchmark/benchmark.h>
#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int sweepBatch()
{
    const char* b = std::getenv("TOPIARY_BATCH");
    return b ? std::max(1, std::atoi(b)) : 100;
}

using topiary::bench::loadSample;

topiary::PruneSpec element(double ratio)
{
    return { topiary::PruneGranularity::Element, topiary::Criterion::L1, topiary::PruneMode::Ratio, ratio };
}

void fullEvaluation(benchmark::State& state)
{
    auto s = loadSample(state);
    if (!s)
        return;
    topiary::EvaluationOptions options;
    options.keepOutputs = false;
    options.batchSize = static_cast<int>(state.range(0));
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

// Every layer, element L1 at 0, 0.1, ..., 0.9 on all 1,000 images; range(0): sequential stopping.
void sensitivityAnalysis(benchmark::State& state)
{
    auto s = loadSample(state);
    if (!s)
        return;
    topiary::EvaluationOptions options;
    options.batchSize = sweepBatch();
    // Exact: the peer's order (the counts of a full run do not depend on it); sequential
    // stopping needs the shuffled order (its first images must be a random sample).
    options.shuffle = state.range(0) != 0;
    const topiary::Evaluator evaluator(s->dataset, s->spec, options);
    topiary::SensitivityOptions sweep;
    sweep.sequential.enabled = state.range(0) != 0;
    size_t points = 0, stopped = 0;
    int64_t images = 0;
    for (auto _ : state) {
        auto r = topiary::analyseSensitivity(s->model, evaluator, sweep);
        if (!r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
        points = r->points.size();
        stopped = 0;
        images = 0;
        for (const auto& p : r->points) {
            stopped += p.stoppedEarly;
            images += p.metrics.processed;
        }
        if (const char* csv = std::getenv("TOPIARY_BENCH_CSV"); csv && !sweep.sequential.enabled) {
            std::FILE* f = std::fopen(csv, "w");
            if (f) {
                const std::string text = topiary::sensitivityCsv(*r);
                std::fwrite(text.data(), 1, text.size(), f);
                std::fclose(f);
            }
        }
    }
    state.counters["points"] = static_cast<double>(points);
    state.counters["stopped_early"] = static_cast<double>(stopped);
    state.counters["images_per_point"] = points ? static_cast<double>(images) / static_cast<double>(points) : 0.0;
    state.counters["threads"] = cv::getNumThreads();
    state.counters["batch"] = options.batchSize;
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
        const auto start = Clock::now();
        bool first = true;
        const topiary::Plan plan = topiary::Plan().withPrune(layers[static_cast<size_t>(target)].name, element(ratio));
        auto applied = topiary::apply(s->model, plan);
        auto r = incremental->run(applied->proto, [&](const topiary::EvaluationMetrics&) {
            if (first)
                firstEstimate += msSince(start) / 1000.0;
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

// Where one sensitivity point's time goes, stage by stage, for a layer in the middle
// (/block1/conv1/Conv, ratio 0.5: a single cut tensor), and what batch size, fusion and the weight swap change.
// Counters in ms (per 1,000 images where it says so).
void pointStages(benchmark::State& state)
{
    auto s = loadSample(state);
    if (!s)
        return;
    const auto layers = topiary::findLayers(s->model);
    int target = 0;
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].name == "/block1/conv1/Conv")
            target = static_cast<int>(i);
    auto cut = topiary::cutBeforeLayer(s->model, layers, target);
    auto preprocessor = topiary::Preprocessor::create(s->spec);
    if (!cut || !preprocessor) {
        state.SkipWithError("cannot cut the sample");
        return;
    }
    const int n = static_cast<int>(s->dataset.size());
    const int imageDims[4] = { n, s->spec.channels, s->spec.height, s->spec.width };
    cv::Mat images(4, imageDims, CV_32F);
    std::map<std::string, double> ms;
    auto add = [&](const char* key, double v) { ms[key] += v; };
    for (auto _ : state) {
        auto t0 = Clock::now();
        for (int i = 0; i < n; ++i)
            (void)preprocessor->write(*s->dataset.image(static_cast<size_t>(i)),
                images.ptr<float>() + static_cast<size_t>(i) * preprocessor->floatsPerImage());
        add("decode_preprocess_1000", msSince(t0));

        auto up = topiary::upstreamModel(s->model.proto(), *cut);
        auto upNet = topiary::OpenCvNet::create(*up);
        cv::Mat activations = upNet->forward(images).value();
        t0 = Clock::now();
        cv::Mat copy = activations.clone();
        add("cut_copy_1000", msSince(t0));

        const topiary::Plan plan = topiary::Plan().withPrune(layers[static_cast<size_t>(target)].name, element(0.5));
        t0 = Clock::now();
        auto applied = topiary::apply(s->model, plan);
        add("apply", msSince(t0));
        t0 = Clock::now();
        auto downstream = topiary::downstreamModel(applied->proto, *cut, 1);
        add("extract_downstream", msSince(t0));
        t0 = Clock::now();
        auto net = topiary::OpenCvNet::create(*downstream);
        add("canonicalize_import", msSince(t0));

        auto forwardAll = [&](topiary::OpenCvNet& on, const cv::Mat& all, int batch) {
            const auto start = Clock::now();
            for (int b = 0; b < n; b += batch) {
                const int rows = std::min(batch, n - b);
                std::vector<int> dims { rows };
                for (int d = 1; d < all.dims; ++d)
                    dims.push_back(all.size[d]);
                const size_t per = all.total() / static_cast<size_t>(n);
                cv::Mat view(static_cast<int>(dims.size()), dims.data(), CV_32F,
                    const_cast<float*>(all.ptr<float>()) + static_cast<size_t>(b) * per);
                (void)on.forward(view);
            }
            return msSince(start);
        };
        t0 = Clock::now();
        (void)net->forward(cv::Mat(activations, cv::Range(0, 32)));
        add("first_forward_setup_32", msSince(t0));
        for (int batch : { 32, 100, 250, 1000 })
            add(("downstream_1000_batch_" + std::to_string(batch)).c_str(), forwardAll(*net, activations, batch));

        auto swappable = topiary::SwappableNet::create(*topiary::downstreamModel(s->model.proto(), *cut, 1));
        (void)forwardAll(swappable->net(), activations, 100);
        t0 = Clock::now();
        (void)swappable->swapTo(*downstream);
        add("swap_weights", msSince(t0));
        t0 = Clock::now();
        (void)swappable->net().forward(cv::Mat(activations, cv::Range(0, 100)));
        const double setupAndBatch = msSince(t0);
        t0 = Clock::now();
        (void)swappable->net().forward(cv::Mat(activations, cv::Range(0, 100)));
        add("re_setup_after_swap", setupAndBatch - msSince(t0));

        auto full = topiary::OpenCvNet::create(s->model.proto());
        for (int batch : { 32, 100, 250 })
            add(("full_1000_batch_" + std::to_string(batch)).c_str(), forwardAll(*full, images, batch));
        auto unfused = topiary::OpenCvNet::create(s->model.proto());
        unfused->openCv().enableFusion(false);
        add("full_1000_batch_100_unfused", forwardAll(*unfused, images, 100));
        benchmark::DoNotOptimize(copy.data);
    }
    for (const auto& [key, v] : ms)
        state.counters[key] = v / static_cast<double>(state.iterations());
    state.counters["threads"] = cv::getNumThreads();
}

// OpenCV's own time per layer (cv::dnn::Net::getPerfProfile, wall ms per 1,000 images) of
// a full evaluation at batch 100, as Topiary imports the sample (fusion on, depthwise
// convolutions in DepthwiseConvLayer). Fused layers (BatchNorm, ReLU) count in their conv.
void layerProfile(benchmark::State& state)
{
    auto s = loadSample(state);
    if (!s)
        return;
    auto preprocessor = topiary::Preprocessor::create(s->spec);
    auto net = topiary::OpenCvNet::create(s->model.proto());
    if (!preprocessor || !net) {
        state.SkipWithError("cannot prepare the sample");
        return;
    }
    const int n = static_cast<int>(s->dataset.size()), batch = 100;
    const int imageDims[4] = { n, s->spec.channels, s->spec.height, s->spec.width };
    cv::Mat images(4, imageDims, CV_32F);
    for (int i = 0; i < n; ++i)
        (void)preprocessor->write(*s->dataset.image(static_cast<size_t>(i)),
            images.ptr<float>() + static_cast<size_t>(i) * preprocessor->floatsPerImage());
    cv::dnn::Net& cvNet = net->openCv();
    const auto names = cvNet.getLayerNames();
    std::vector<double> total(names.size(), 0.0);
    (void)net->forward(cv::Mat(images, cv::Range(0, batch))); // set-up
    for (auto _ : state) {
        for (int b = 0; b + batch <= n; b += batch) {
            (void)net->forward(cv::Mat(images, cv::Range(b, b + batch)));
            std::vector<double> ticks;
            cvNet.getPerfProfile(ticks);
            for (size_t l = 0; l < ticks.size() && l < total.size(); ++l)
                total[l] += ticks[l] * 1000.0 / cv::getTickFrequency();
        }
    }
    for (size_t l = 0; l < names.size(); ++l)
        if (total[l] > 0.0)
            state.counters[names[l]] = total[l] / static_cast<double>(state.iterations());
    state.counters["threads"] = cv::getNumThreads();
}

} // namespace

// CPU time of the whole process (OpenCV's worker threads included), for loaded machines.
BENCHMARK(fullEvaluation)->Arg(32)->Arg(100)->Arg(250)->Unit(benchmark::kMillisecond)->Iterations(5)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(sensitivityAnalysis)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1)->MeasureProcessCPUTime()->UseRealTime();
BENCHMARK(oneLayerChange)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(pointStages)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(layerProfile)->Unit(benchmark::kMillisecond)->Iterations(3);

int main(int argc, char** argv)
{
    if (const char* t = std::getenv("TOPIARY_THREADS"))
        cv::setNumThreads(std::max(1, std::atoi(t)));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
