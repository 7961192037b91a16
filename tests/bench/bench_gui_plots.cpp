// The whole-network views with real data: the overview of resnet50 under a 30 % L1 filter
// plan (core matrix, then the heatmap update and repaint), sensitivity curves of resnet18
// (estimates) and of the bundled Fashion-MNIST CNN (measured, fed progressively as an
// analysis reports), and the Pareto charts of plans evaluated on the bundled sample.
// Models come from TOPIARY_BENCH_MODELS (default build/fixtures/torchvision), the sample
// from TOPIARY_SAMPLE_DIR (default resources/sample). With TOPIARY_BENCH_SNAPSHOTS=<dir>
// each view is also saved there as a PNG, to look at.
#include "widgets/NetworkOverviewMap.h"
#include "widgets/ParetoPlot.h"
#include "widgets/SensitivityPlot.h"

#include "core/model/CostModel.h"
#include "core/data/Dataset.h"
#include "core/model/DependencyGroups.h"
#include "core/eval/Evaluator.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/analysis/NetworkOverview.h"
#include "core/analysis/ParetoSet.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"
#include "core/analysis/Sensitivity.h"
#include "core/analysis/Stats.h"
#include "core/export/Apply.h"

#include <qcustomplot.h>

#include <QApplication>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

namespace {

namespace fs = std::filesystem;

fs::path modelPath(const char* name)
{
    const char* dir = std::getenv("TOPIARY_BENCH_MODELS");
    return fs::path(dir ? dir : "build/fixtures/torchvision") / name;
}

fs::path sampleDir()
{
    const char* dir = std::getenv("TOPIARY_SAMPLE_DIR");
    return dir ? fs::path(dir) : fs::path("resources/sample");
}

void snapshot(QWidget& widget, const char* name)
{
    const char* dir = std::getenv("TOPIARY_BENCH_SNAPSHOTS");
    if (dir)
        widget.grab().save(QString::fromStdString((fs::path(dir) / name).string()));
}

const topiary::PruneSpec kFilterL1_30 { topiary::PruneGranularity::Filter, topiary::Criterion::L1,
    topiary::PruneMode::Ratio, 0.3 };

void overviewResnet50(benchmark::State& state, bool widget)
{
    auto model = topiary::Model::load(modelPath("resnet50_bn.onnx"));
    if (!model) {
        state.SkipWithError(model.error().message.c_str());
        return;
    }
    const auto layers = topiary::findLayers(*model);
    const auto groups = topiary::findDependencyGroups(*model, layers);
    const auto plan = topiary::pruneAllConvs(topiary::Plan {}, layers, groups, kFilterL1_30, true);
    const auto scorer = topiary::weightScorer(*model, layers);
    auto overview = topiary::networkOverview(*model, layers, groups, plan, scorer, topiary::Criterion::L1);
    if (!overview) {
        state.SkipWithError(overview.error().message.c_str());
        return;
    }
    topiary::NetworkOverviewMap map;
    map.resize(1000, 700);
    map.show();
    for (auto _ : state) {
        if (widget) {
            map.setOverview(*overview, layers);
            map.plot()->replot();
        } else {
            overview = topiary::networkOverview(*model, layers, groups, plan, scorer, topiary::Criterion::L1);
        }
    }
    map.setOverview(*overview, layers);
    map.setSelectedLayer(layers.size() > 20 ? 20 : 0);
    snapshot(map, "overview-resnet50.png");
    state.counters["rows"] = overview->rows();
    state.counters["columns"] = static_cast<double>(overview->columns);
}

void sensitivityResnet18(benchmark::State& state)
{
    auto model = topiary::Model::load(modelPath("resnet18_bn.onnx"));
    if (!model) {
        state.SkipWithError(model.error().message.c_str());
        return;
    }
    const auto layers = topiary::findLayers(*model);
    topiary::SensitivityOptions options;
    options.granularity = topiary::PruneGranularity::Filter;
    auto result = topiary::estimateSensitivity(*model, options);
    if (!result) {
        state.SkipWithError(result.error().message.c_str());
        return;
    }
    topiary::SensitivityPlot plot;
    plot.resize(900, 560);
    plot.show();
    for (auto _ : state) {
        plot.setResult(*result, layers);
        plot.plot()->replot();
    }
    snapshot(plot, "sensitivity-resnet18-estimates.png");
    plot.setSelectedLayer(5);
    snapshot(plot, "sensitivity-resnet18-selected.png");
    state.counters["curves"] = plot.curveCount();
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

// Progressive updates as analyseSensitivity reports them: one setResult + repaint per point.
void sensitivityFashionProgressive(benchmark::State& state)
{
    auto s = loadSample(state);
    if (!s)
        return;
    const auto layers = topiary::findLayers(s->model);
    topiary::EvaluationOptions evalOptions;
    evalOptions.limit = 500;
    const topiary::Evaluator evaluator(s->dataset, s->spec, evalOptions);
    std::vector<topiary::SensitivityResult> reports;
    topiary::SensitivityOptions sweep;
    auto result = topiary::analyseSensitivity(s->model, evaluator, sweep,
        [&](const topiary::SensitivityResult& soFar, size_t, size_t) { reports.push_back(soFar); });
    if (!result) {
        state.SkipWithError(result.error().message.c_str());
        return;
    }
    topiary::SensitivityPlot plot;
    plot.resize(900, 560);
    plot.show();
    for (auto _ : state)
        for (const auto& r : reports) {
            plot.setResult(r, layers);
            plot.plot()->replot();
        }
    plot.setResult(reports[reports.size() / 2], layers);
    snapshot(plot, "sensitivity-fashion-half.png");
    plot.setResult(*result, layers);
    snapshot(plot, "sensitivity-fashion-done.png");
    state.counters["updates"] = static_cast<double>(reports.size());
}

void paretoFashion(benchmark::State& state)
{
    auto s = loadSample(state);
    if (!s)
        return;
    const auto layers = topiary::findLayers(s->model);
    const auto groups = topiary::findDependencyGroups(s->model, layers);
    const topiary::CostModel cost(s->model);
    const topiary::StatsModel stats(s->model, cost, groups);
    const topiary::Evaluator evaluator(s->dataset, s->spec, {});
    topiary::ParetoSet set;
    int id = 0;
    auto addPlan = [&](const topiary::Plan& plan, const std::string& label) {
        auto applied = topiary::apply(s->model, plan);
        if (!applied)
            return;
        auto run = evaluator.run(applied->proto);
        if (!run)
            return;
        const auto st = stats.compute(plan);
        set.add({ id++, run->metrics.top1(), st.encodedBytes, st.effectiveMacs, label });
    };
    addPlan({}, "original");
    for (double ratio : { 0.2, 0.4, 0.6, 0.8 }) {
        const int percent = static_cast<int>(ratio * 100);
        addPlan(topiary::pruneAllConvs({}, layers, groups, { topiary::PruneGranularity::Filter, topiary::Criterion::L1,
                                                                topiary::PruneMode::Ratio, ratio },
                    false),
            std::to_string(percent) + " % L1 filters");
        addPlan(topiary::pruneAllConvs({}, layers, groups, { topiary::PruneGranularity::Element,
                                                                topiary::Criterion::L1, topiary::PruneMode::Ratio, ratio },
                    false),
            std::to_string(percent) + " % weights");
    }
    for (int bits : { 8, 4, 2 })
        addPlan(topiary::quantizeAll({}, layers, { topiary::QuantScheme::Uniform, bits, true, true }, false),
            std::to_string(bits) + "-bit weights");
    topiary::ParetoPlot plot;
    plot.resize(1000, 420);
    plot.show();
    for (auto _ : state) {
        plot.setPoints(set);
        plot.plot()->replot();
    }
    plot.setCurrent(3);
    snapshot(plot, "pareto-fashion.png");
    state.counters["points"] = static_cast<double>(set.points().size());
}

} // namespace

BENCHMARK_CAPTURE(overviewResnet50, core_matrix, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(overviewResnet50, widget_update, true)->Unit(benchmark::kMillisecond);
BENCHMARK(sensitivityResnet18)->Unit(benchmark::kMillisecond);
BENCHMARK(sensitivityFashionProgressive)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(paretoFashion)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv)
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
