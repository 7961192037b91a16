// The workbench's slider target: from a prune slider's new value to the stats panel and the
// layer table showing the new plan, on resnet50 (target < 16 ms, one frame at 60 Hz). One
// iteration is what MainWindow does for one value: withLayerPrune for one layer, the plan
// checked (validatePlan), Document::editPlan (an undo step of a drag gesture; the document
// recomputes StatsModel::compute), and the views refreshed from planChanged as MainWindow
// connects them: LayerTableModel::setPlan (behind a sorted QSortFilterProxyModel in a shown
// QTableView) and TotalsPanel::setStats. The "_painted" variant also paints the table's
// viewport and the panel into an image, as the next frame would (offscreen).
// Peers in the same run: the core alone (withLayerPrune + StatsModel::compute on an
// existing StatsModel), and stats from scratch (CostModel + groups + StatsModel built
// anew for the plan, what a non-incremental document would redo on every value).
// Models come from TOPIARY_REFERENCE_DIR (default /work/main/build/fixtures/torchvision).
#include "Document.h"

#include "widgets/LayerTableModel.h"
#include "widgets/TotalsPanel.h"

#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/plan/Recipe.h"
#include "core/analysis/Stats.h"

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QHeaderView>
#include <QImage>
#include <QPainter>
#include <QSortFilterProxyModel>
#include <QTableView>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
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

// resnet50 as ModelLoader hands it to the document; loaded once for all benchmarks.
const topiary::LoadedModel* resnet50()
{
    static std::unique_ptr<topiary::LoadedModel> loaded;
    if (!loaded) {
        auto model = topiary::Model::load(modelPath("resnet50_bn.onnx"));
        if (!model)
            return nullptr;
        auto contents = std::make_unique<topiary::LoadedModel>();
        contents->model = std::make_shared<const topiary::Model>(std::move(*model));
        contents->cost = std::make_shared<const topiary::CostModel>(*contents->model);
        contents->groups = std::make_shared<const std::vector<topiary::DependencyGroup>>(
            topiary::findDependencyGroups(*contents->model, contents->cost->layers()));
        contents->stats
            = std::make_shared<const topiary::StatsModel>(*contents->model, *contents->cost, *contents->groups);
        contents->path = QStringLiteral("resnet50_bn.onnx");
        contents->displayName = contents->path;
        loaded = std::move(contents);
    }
    return loaded.get();
}

// The layer the slider edits: a conv in the middle of the network (in a residual group's
// neighbourhood, so the edit reaches coupled layers), and the starting plan: every conv
// group pruned 30 %, as after "prune all convs".
struct Scenario {
    int layer = -1;
    topiary::Plan base;
};

Scenario scenario(const topiary::LoadedModel& contents)
{
    const auto& layers = contents.cost->layers();
    Scenario s;
    for (int i = static_cast<int>(layers.size()) / 2; i < static_cast<int>(layers.size()); ++i)
        if (layers[static_cast<size_t>(i)].kind == topiary::LayerKind::Conv) {
            s.layer = i;
            break;
        }
    const topiary::PruneSpec filter30 { topiary::PruneGranularity::Filter, topiary::Criterion::L1,
        topiary::PruneMode::Ratio, 0.3 };
    s.base = topiary::pruneAllConvs({}, layers, *contents.groups, filter30, true);
    return s;
}

// The slider's values: 1 %, 2 %, ... 60 %, as a drag would produce them.
topiary::PruneSpec sliderValue(int step)
{
    return { topiary::PruneGranularity::Filter, topiary::Criterion::L1, topiary::PruneMode::Ratio,
        0.01 * (1 + step % 60) };
}

void sliderToStats(benchmark::State& state, bool painted)
{
    const topiary::LoadedModel* contents = resnet50();
    if (!contents) {
        state.SkipWithError("resnet50_bn.onnx not found (set TOPIARY_REFERENCE_DIR)");
        return;
    }
    const Scenario s = scenario(*contents);

    // The views as MainWindow builds and connects them.
    topiary::Document document;
    topiary::LayerTableModel layerModel;
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&layerModel);
    proxy.setSortRole(topiary::LayerTableModel::SortRole);
    QTableView table;
    table.setModel(&proxy);
    table.setSortingEnabled(true);
    table.sortByColumn(topiary::LayerTableModel::Params, Qt::DescendingOrder); // a column the plan changes
    table.resize(1000, 700);
    table.show();
    topiary::TotalsPanel totals;
    totals.show();
    QObject::connect(&document, &topiary::Document::planChanged, &document, [&] {
        layerModel.setPlan(document.plan(), document.currentStats());
        totals.setStats(document.originalStats(), document.currentStats());
    });

    document.setContents(*contents);
    layerModel.setModel(contents->model, contents->cost);
    totals.setModel(*contents->model, *contents->cost, 0);
    document.editPlan(s.base, QStringLiteral("Prune all convs"));
    table.resizeColumnsToContents();
    QApplication::processEvents();

    QImage tableFrame(table.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    QImage totalsFrame(totals.size(), QImage::Format_ARGB32_Premultiplied);
    const auto& layers = contents->cost->layers();
    int step = 0;
    // Where the time goes (wall clock, summed over iterations): the edit up to the views'
    // models, then painting the table, then painting the panel.
    using Clock = std::chrono::steady_clock;
    Clock::duration editTime {}, tablePaintTime {}, totalsPaintTime {};
    for (auto _ : state) {
        const auto start = Clock::now();
        const topiary::Plan plan
            = topiary::withLayerPrune(document.plan(), layers, *contents->groups, s.layer, sliderValue(step++));
        const auto problems = topiary::validatePlan(plan, *contents->model, layers, contents->groups.get());
        if (!problems.empty()) {
            state.SkipWithError(problems.front().message.c_str());
            return;
        }
        // One drag gesture: the steps merge into one undo step, as the slider does it.
        document.editPlan(plan, QStringLiteral("Prune"), s.layer, true);
        const auto edited = Clock::now();
        editTime += edited - start;
        if (painted) {
            QPainter tablePainter(&tableFrame);
            table.viewport()->render(&tablePainter);
            tablePainter.end();
            const auto tablePainted = Clock::now();
            tablePaintTime += tablePainted - edited;
            QPainter totalsPainter(&totalsFrame);
            totals.render(&totalsPainter);
            totalsPainter.end();
            totalsPaintTime += Clock::now() - tablePainted;
            benchmark::DoNotOptimize(tableFrame.constBits());
        }
    }
    const auto msPerIteration = [&](Clock::duration d) {
        return std::chrono::duration<double, std::milli>(d).count() / static_cast<double>(std::max<int64_t>(1, state.iterations()));
    };
    state.counters["edit_ms"] = msPerIteration(editTime);
    if (painted) {
        state.counters["table_paint_ms"] = msPerIteration(tablePaintTime);
        state.counters["totals_paint_ms"] = msPerIteration(totalsPaintTime);
    }
    if (totals.valueText(topiary::TotalsPanel::Params).isEmpty())
        state.SkipWithError("the totals panel shows nothing");
}

// Peer: the core's share of the above, on the document's StatsModel.
void coreOnly(benchmark::State& state)
{
    const topiary::LoadedModel* contents = resnet50();
    if (!contents) {
        state.SkipWithError("resnet50_bn.onnx not found (set TOPIARY_REFERENCE_DIR)");
        return;
    }
    const Scenario s = scenario(*contents);
    topiary::Plan plan = s.base;
    int step = 0;
    for (auto _ : state) {
        plan = topiary::withLayerPrune(plan, contents->cost->layers(), *contents->groups, s.layer, sliderValue(step++));
        benchmark::DoNotOptimize(contents->stats->compute(plan).params);
    }
}

// Peer: the stats from scratch for each value (cost model, dependency groups and stats
// model built anew from the loaded model).
void statsFromScratch(benchmark::State& state)
{
    const topiary::LoadedModel* contents = resnet50();
    if (!contents) {
        state.SkipWithError("resnet50_bn.onnx not found (set TOPIARY_REFERENCE_DIR)");
        return;
    }
    const Scenario s = scenario(*contents);
    topiary::Plan plan = s.base;
    int step = 0;
    for (auto _ : state) {
        const topiary::CostModel cost(*contents->model);
        const auto groups = topiary::findDependencyGroups(*contents->model, cost.layers());
        plan = topiary::withLayerPrune(plan, cost.layers(), groups, s.layer, sliderValue(step++));
        const topiary::StatsModel stats(*contents->model, cost, groups);
        benchmark::DoNotOptimize(stats.compute(plan).params);
    }
}

} // namespace

BENCHMARK_CAPTURE(sliderToStats, resnet50, false)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK_CAPTURE(sliderToStats, resnet50_painted, true)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(coreOnly)->Name("coreOnly/resnet50")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(statsFromScratch)->Name("statsFromScratch/resnet50")->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
