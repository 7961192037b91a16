// The composed inspector on the bundled sample model: the title names the layer, the
// parts show the inspection (struck-out filters, the cut, the spec), user edits in the
// parts come out of the inspector, and refreshing after a plan edit reuses every
// plottable. With TOPIARY_INSPECTOR_SHOTS=<dir> it also saves screenshots of a sample
// layer (APoZ from the sample images) and, when TOPIARY_REFERENCE_DIR holds the
// torchvision models, of a pruned resnet18 conv, for a person to look at.
#include "widgets/ImportanceHeatmap.h"
#include "widgets/LayerControls.h"
#include "widgets/LayerInspector.h"
#include "widgets/WeightHistogramPlot.h"

#include "core/eval/ActivationStats.h"
#include "core/data/Dataset.h"
#include "core/model/DependencyGroups.h"
#include "core/analysis/LayerInspection.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"
#include "core/compress/PruneSelection.h"

#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <qcustomplot.h>

#include <filesystem>
#include <optional>

using namespace topiary;
namespace fs = std::filesystem;

namespace {

struct Loaded {
    std::optional<Model> model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;

    explicit Loaded(const fs::path& file)
    {
        auto m = Model::load(file);
        if (!m)
            qFatal("%s", m.error().message.c_str());
        model.emplace(std::move(*m));
        layers = findLayers(*model);
        groups = findDependencyGroups(*model, layers);
    }

    int index(const std::string& name) const
    {
        for (size_t i = 0; i < layers.size(); ++i)
            if (layers[i].name == name)
                return static_cast<int>(i);
        qFatal("no layer %s", name.c_str());
    }

    LayerInspection inspect(int layer, const Plan& plan, const FilterScorer& scorer) const
    {
        auto in = inspectLayer(*model, layers, groups, layer, plan, scorer);
        if (!in)
            qFatal("%s", in.error().message.c_str());
        return std::move(*in);
    }
};

const fs::path kSample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";

Loaded& sample()
{
    static Loaded loaded(kSample / "fashion_cnn.onnx");
    return loaded;
}

void shoot(QWidget& widget, const QString& name)
{
    const QString dir = qEnvironmentVariable("TOPIARY_INSPECTOR_SHOTS");
    if (dir.isEmpty())
        return;
    QCoreApplication::processEvents();  // queued replots
    const QString path = dir + QLatin1Char('/') + name;
    QVERIFY2(widget.grab().save(path), qPrintable(path));
    qInfo("saved %s", qPrintable(path));
}

} // namespace

class TestLayerInspector : public QObject {
    Q_OBJECT

private slots:
    void showsTheInspection();
    void forwardsTheUsersEdits();
    void refreshReusesThePlottables();
    void screenshotOfASampleLayerWithApoz();
    void screenshotOfAPrunedResnet18Conv();
};

void TestLayerInspector::showsTheInspection()
{
    const Loaded& s = sample();
    const int layer = s.index("/block1/conv1/Conv");
    const PruneSpec half{PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5};
    const Plan plan = withLayerPrune(Plan{}, s.layers, s.groups, layer, half);
    const auto in = s.inspect(layer, plan, weightScorer(*s.model, s.layers));

    LayerInspector inspector;
    QSignalSpy edits(&inspector, &LayerInspector::pruneEdited);
    inspector.setInspection(in, plan.spec(s.layers[static_cast<size_t>(layer)].name));
    QCOMPARE(edits.count(), 0);
    QCOMPARE(inspector.layer(), layer);
    QVERIFY(inspector.titleText().contains(QStringLiteral("/block1/conv1/Conv")));
    QVERIFY(inspector.titleText().contains(QStringLiteral("Conv")));
    QVERIFY(in.prunedFilterCount() > 0);
    std::vector<int> pruned;
    for (size_t f = 0; f < in.keptFilters.size(); ++f)
        if (!in.keptFilters[f])
            pruned.push_back(static_cast<int>(f));
    QCOMPARE(inspector.heatmap()->struckOutRows(), pruned);
    QCOMPARE(inspector.heatmap()->criterion(), Criterion::L1);
    QCOMPARE(inspector.controls()->pruneSpec(), half);
    QVERIFY(!inspector.histogram()->hasThreshold());

    // The plan's criterion becomes the side bar's when it changes.
    const PruneSpec byBn{PruneGranularity::Filter, Criterion::BnScale, PruneMode::Ratio, 0.5};
    const Plan bnPlan = withLayerPrune(Plan{}, s.layers, s.groups, layer, byBn);
    inspector.setInspection(s.inspect(layer, bnPlan, weightScorer(*s.model, s.layers)),
                            bnPlan.spec(s.layers[static_cast<size_t>(layer)].name));
    QCOMPARE(inspector.heatmap()->criterion(), Criterion::BnScale);

    inspector.clear();
    QCOMPARE(inspector.layer(), -1);
    QVERIFY(inspector.heatmap()->struckOutRows().empty());
}

void TestLayerInspector::forwardsTheUsersEdits()
{
    const Loaded& s = sample();
    const int layer = s.index("/pw1/conv/Conv");
    LayerSpec spec;
    spec.prune = {PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.3};
    const Plan plan = Plan{}.with(s.layers[static_cast<size_t>(layer)].name, spec);
    LayerInspector inspector;
    inspector.resize(1000, 640);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    inspector.setInspection(s.inspect(layer, plan, weightScorer(*s.model, s.layers)), spec);
    QVERIFY(inspector.histogram()->hasThreshold());

    QSignalSpy prune(&inspector, &LayerInspector::pruneEdited);
    QSignalSpy dragged(&inspector, &LayerInspector::thresholdDragged);
    QSignalSpy finished(&inspector, &LayerInspector::thresholdDragFinished);

    auto* spin = inspector.controls()->findChild<QDoubleSpinBox*>(QStringLiteral("pruneValue"));
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, QStringLiteral("0.6"));
    QTest::keyClick(spin, Qt::Key_Return);
    QCOMPARE(prune.count(), 1);
    QCOMPARE(prune.at(0).at(0).value<PruneSpec>().value, 0.6);

    QCustomPlot* plot = inspector.histogram()->plot();
    plot->replot(QCustomPlot::rpImmediateRefresh);
    const double t = inspector.histogram()->threshold();
    const int y = plot->axisRect()->center().y();
    const QPoint from(static_cast<int>(std::lround(plot->xAxis->coordToPixel(t))), y);
    const QPoint to(static_cast<int>(std::lround(plot->xAxis->coordToPixel(t * 2))), y);
    QTest::mousePress(plot, Qt::LeftButton, {}, from);
    QTest::mouseMove(plot, to);
    QTest::mouseRelease(plot, Qt::LeftButton, {}, to);
    QCOMPARE(dragged.count(), 1);
    QCOMPARE(finished.count(), 1);
    QVERIFY(std::fabs(finished.at(0).at(0).toDouble() - 2 * t) < 0.05 * t + 0.01);
}

void TestLayerInspector::refreshReusesThePlottables()
{
    const Loaded& s = sample();
    const int layer = s.index("/pw2/conv/Conv");
    const auto name = s.layers[static_cast<size_t>(layer)].name;
    LayerInspector inspector;
    inspector.resize(1000, 640);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    const auto count = [&] {
        QCustomPlot* k = inspector.heatmap()->kernelPlot();
        QCustomPlot* g = inspector.heatmap()->disagreementPlot();
        QCustomPlot* h = inspector.histogram()->plot();
        return QList<int>{k->plottableCount(), k->itemCount(), g->plottableCount(), g->itemCount(),
                          h->plottableCount(), h->itemCount()};
    };
    inspector.setInspection(s.inspect(layer, Plan{}, weightScorer(*s.model, s.layers)), LayerSpec{});
    const auto before = count();
    QElapsedTimer timer;
    timer.start();
    for (double ratio : {0.1, 0.2, 0.3, 0.4, 0.5}) {
        const Plan plan = withLayerPrune(Plan{}, s.layers, s.groups, layer,
                                         {PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, ratio});
        inspector.setInspection(s.inspect(layer, plan, weightScorer(*s.model, s.layers)), plan.spec(name));
        QCoreApplication::processEvents();
    }
    QCOMPARE(count(), before);
    qInfo("5 inspect + refresh cycles: %lld ms", static_cast<long long>(timer.elapsed()));
}

void TestLayerInspector::screenshotOfASampleLayerWithApoz()
{
    if (qEnvironmentVariableIsEmpty("TOPIARY_INSPECTOR_SHOTS"))
        QSKIP("set TOPIARY_INSPECTOR_SHOTS=<dir> to save screenshots");
    const Loaded& s = sample();
    auto dataset = Dataset::open(kSample / "fashion-mnist-test-1000-images-idx3-ubyte");
    QVERIFY(dataset.has_value());
    auto preprocess = loadPreprocess(kSample / "preprocess.json");
    QVERIFY(preprocess.has_value());
    ActivationStatsOptions options;
    options.samples = 128;
    auto stats = gatherActivationStats(*s.model, s.layers, *dataset, *preprocess, options);
    QVERIFY2(stats.has_value(), stats ? "" : stats.error().message.c_str());
    const FilterScorer scorer = activationScorer(*stats, weightScorer(*s.model, s.layers));

    const int layer = s.index("/pw1/conv/Conv");
    LayerSpec spec;
    spec.prune = {PruneGranularity::Filter, Criterion::Apoz, PruneMode::Ratio, 0.25};
    spec.quant = {QuantScheme::Uniform, 3, true, false};
    const Plan plan = withLayerPrune(Plan{}, s.layers, s.groups, layer, spec.prune)
                          .withQuant(s.layers[static_cast<size_t>(layer)].name, spec.quant);
    LayerInspector inspector;
    inspector.resize(1100, 720);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    inspector.setInspection(s.inspect(layer, plan, scorer), plan.spec(s.layers[static_cast<size_t>(layer)].name));
    shoot(inspector, QStringLiteral("inspector-sample-pw1.png"));
    inspector.heatmap()->setView(ImportanceHeatmap::View::Disagreement);
    shoot(inspector, QStringLiteral("inspector-sample-pw1-disagreement.png"));

    // An element-pruned layer with its cut and a 4-bit grid.
    const int stem = s.index("/block1/conv2/Conv");
    LayerSpec element;
    element.prune = {PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.4};
    element.quant = {QuantScheme::Uniform, 4, true, false};
    const Plan elementPlan = Plan{}.with(s.layers[static_cast<size_t>(stem)].name, element);
    inspector.heatmap()->setView(ImportanceHeatmap::View::Kernels);
    inspector.setInspection(s.inspect(stem, elementPlan, scorer), element);
    shoot(inspector, QStringLiteral("inspector-sample-element.png"));

    // A depthwise conv (one input per filter) and the classifier.
    for (const char* name : {"/dw1/conv/Conv", "/fc/Gemm"}) {
        const int l = s.index(name);
        const Plan plan = withLayerPrune(Plan{}, s.layers, s.groups, l,
                                         {PruneGranularity::Filter, Criterion::L2, PruneMode::Ratio, 0.3});
        inspector.setInspection(s.inspect(l, plan, scorer), plan.spec(name));
        shoot(inspector, QStringLiteral("inspector-sample-%1.png").arg(QString::fromLatin1(name).section(QLatin1Char('/'), 1, 1)));
    }
}

void TestLayerInspector::screenshotOfAPrunedResnet18Conv()
{
    const QString shots = qEnvironmentVariable("TOPIARY_INSPECTOR_SHOTS");
    const QString reference = qEnvironmentVariable("TOPIARY_REFERENCE_DIR");
    if (shots.isEmpty() || reference.isEmpty())
        QSKIP("set TOPIARY_INSPECTOR_SHOTS and TOPIARY_REFERENCE_DIR to save screenshots");
    for (const char* model : {"resnet18_bn.onnx", "resnet50_bn.onnx"}) {
        const fs::path file = fs::path(reference.toStdString()) / model;
        if (!fs::exists(file))
            continue;
        const Loaded r(file);
        const bool small = std::string(model).starts_with("resnet18");
        const int layer = r.index(small ? "/layer2/layer2.0/conv1/Conv" : "/layer4/layer4.0/conv2/Conv");
        const auto& name = r.layers[static_cast<size_t>(layer)].name;
        LayerSpec spec;
        spec.prune = {PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.4};
        spec.quant = {QuantScheme::Uniform, 4, true, true};
        const Plan plan = withLayerPrune(Plan{}, r.layers, r.groups, layer, spec.prune).withQuant(name, spec.quant);
        QElapsedTimer timer;
        timer.start();
        const FilterScorer scorer = cachedScorer(weightScorer(*r.model, r.layers));
        auto in = r.inspect(layer, Plan{}, scorer);
        const auto inspectMs = timer.elapsed();
        timer.restart();
        refreshInspection(in, *r.model, r.layers, r.groups, plan, scorer);  // a plan edit
        const auto refreshPlanMs = timer.elapsed();
        // A slider step: only the ratio moves, the encoding stays.
        LayerSpec dragged = spec;
        dragged.prune.value = 0.45;
        const Plan step = withLayerPrune(plan, r.layers, r.groups, layer, dragged.prune);
        timer.restart();
        refreshInspection(in, *r.model, r.layers, r.groups, step, scorer);
        const auto refreshStepMs = timer.elapsed();
        refreshInspection(in, *r.model, r.layers, r.groups, plan, scorer);
        LayerInspector inspector;
        inspector.resize(1100, 720);
        inspector.show();
        QVERIFY(QTest::qWaitForWindowExposed(&inspector));
        timer.restart();
        inspector.setInspection(in, plan.spec(name));
        QCoreApplication::processEvents();
        const auto firstMs = timer.elapsed();
        timer.restart();
        inspector.setInspection(in, plan.spec(name));
        QCoreApplication::processEvents();
        qInfo("%s %s: inspectLayer %lld ms, refreshInspection %lld ms (prune ratio only: %lld ms), first show %lld ms, "
              "redraw %lld ms",
              model, name.c_str(), static_cast<long long>(inspectMs), static_cast<long long>(refreshPlanMs),
              static_cast<long long>(refreshStepMs),
              static_cast<long long>(firstMs), static_cast<long long>(timer.elapsed()));
        shoot(inspector, QStringLiteral("inspector-%1.png").arg(QString::fromLatin1(model).section(QLatin1Char('_'), 0, 0)));
    }
}

QTEST_MAIN(TestLayerInspector)
#include "tst_layerinspector.moc"
