// SensitivityPlot fed with the core's data-free estimates for a small CNN and then, as an
// analysis would, with measured points arriving layer by layer: the curves are updated in
// place (same graphs, same count), estimates give way to measurements, and a real click
// near a curve's point selects that curve's layer.
#include "widgets/SensitivityPlot.h"

#include "ModelBuilder.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/analysis/Sensitivity.h"

#include <qcustomplot.h>

#include <QSignalSpy>
#include <QTest>

#include <cmath>

using topiary::SensitivityPlot;

namespace {

// Marks every point of `layer` measured: top-1 falls from 90 % by `slope` points per 10 %
// pruned, on 400 labelled images.
void measure(topiary::SensitivityResult& result, const std::string& layer, int slope)
{
    for (auto& p : result.points) {
        if (p.layer != layer)
            continue;
        p.evaluated = true;
        p.metrics.total = p.metrics.processed = p.metrics.labelled = 400;
        p.metrics.top1Correct = 360 - static_cast<int64_t>(std::lround(p.value * 10.0 * slope * 4.0));
    }
}

} // namespace

class TestSensitivityPlot : public QObject {
    Q_OBJECT

private slots:
    void progressiveResultsKeepTheCurves();
    void clickingNearACurveSelectsItsLayer();
    void hoveringACurveHighlightsIt();
    void bitWidthSweeps();
    void aGroupCurveListsItsMembersInTheLegend();
};

void TestSensitivityPlot::aGroupCurveListsItsMembersInTheLegend()
{
    auto model = topiary::Model::fromProto(topiary::test::makeSmallCnn(), {});
    QVERIFY(model.has_value());
    const auto layers = topiary::findLayers(*model);
    topiary::SensitivityOptions filter;
    filter.granularity = topiary::PruneGranularity::Filter;
    auto estimate = topiary::estimateSensitivity(*model, filter);
    QVERIFY(estimate.has_value());
    SensitivityPlot plot;
    plot.resize(900, 500);
    plot.setResult(*estimate, layers);
    // stem's group holds block1.conv2 and dw (residual Add, depthwise pass-through);
    // block1.conv1 and pw are groups of their own; fc is skipped (graph output).
    QCOMPARE(plot.curveCount(), 3);
    QCOMPARE(plot.measuredGraph(0)->name(), QStringLiteral("stem + block1.conv2 + dw"));
    QCOMPARE(plot.measuredGraph(1)->name(), QStringLiteral("block1.conv1"));
}

void TestSensitivityPlot::progressiveResultsKeepTheCurves()
{
    auto model = topiary::Model::fromProto(topiary::test::makeSmallCnn(), {});
    QVERIFY(model.has_value());
    const auto layers = topiary::findLayers(*model);
    auto estimate = topiary::estimateSensitivity(*model, topiary::SensitivityOptions {});
    QVERIFY(estimate.has_value());

    SensitivityPlot plot;
    plot.resize(600, 400);
    plot.setResult(*estimate, layers);
    QCOMPARE(plot.curveCount(), 6);
    const int graphs = plot.plot()->graphCount();
    const int plottables = plot.plot()->plottableCount();
    std::vector<QCPGraph*> measured, estimated;
    for (int c = 0; c < plot.curveCount(); ++c) {
        QCOMPARE(plot.curveLayer(c), c); // swept in graph order
        measured.push_back(plot.measuredGraph(c));
        estimated.push_back(plot.estimateGraph(c));
        QCOMPARE(plot.measuredGraph(c)->dataCount(), 0);
        QCOMPARE(plot.estimateGraph(c)->dataCount(), 10);
        QVERIFY(plot.estimateGraph(c)->visible());
    }
    // The estimate of ratio 0 keeps all the energy.
    QCOMPARE(plot.estimateGraph(0)->data()->at(0)->value, 100.0);

    topiary::SensitivityResult soFar = *estimate;
    soFar.baseline.total = soFar.baseline.processed = soFar.baseline.labelled = 400;
    soFar.baseline.top1Correct = 360;
    for (int c = 0; c < plot.curveCount(); ++c) {
        measure(soFar, layers[static_cast<size_t>(c)].name, c + 1);
        plot.setResult(soFar, layers);
        QCOMPARE(plot.plot()->graphCount(), graphs);
        QCOMPARE(plot.plot()->plottableCount(), plottables);
        for (int k = 0; k < plot.curveCount(); ++k) {
            QCOMPARE(plot.measuredGraph(k), measured[static_cast<size_t>(k)]);
            QCOMPARE(plot.estimateGraph(k), estimated[static_cast<size_t>(k)]);
            QCOMPARE(plot.measuredGraph(k)->dataCount(), k <= c ? 10 : 0);
            QCOMPARE(plot.estimateGraph(k)->visible(), k > c);
        }
    }
    // The last point of layer 0: 90 % - 9 points, with its Wilson interval as error bars.
    QCOMPARE(plot.measuredGraph(0)->data()->at(9)->key, 90.0);
    QCOMPARE(plot.measuredGraph(0)->data()->at(9)->value, 81.0);

    // A new analysis over other layers replaces the curves.
    topiary::SensitivityOptions two;
    two.layers = { layers[1].name, layers[4].name };
    auto other = topiary::estimateSensitivity(*model, two);
    QVERIFY(other.has_value());
    plot.setResult(*other, layers);
    QCOMPARE(plot.curveCount(), 2);
    QCOMPARE(plot.curveLayer(1), 4);
}

void TestSensitivityPlot::clickingNearACurveSelectsItsLayer()
{
    auto model = topiary::Model::fromProto(topiary::test::makeSmallCnn(), {});
    QVERIFY(model.has_value());
    const auto layers = topiary::findLayers(*model);
    auto estimate = topiary::estimateSensitivity(*model, topiary::SensitivityOptions {});
    QVERIFY(estimate.has_value());
    topiary::SensitivityResult result = *estimate;
    result.baseline.total = result.baseline.processed = result.baseline.labelled = 400;
    result.baseline.top1Correct = 360;
    for (size_t l = 0; l < layers.size(); ++l)
        measure(result, layers[l].name, static_cast<int>(l) + 2);

    SensitivityPlot plot;
    plot.resize(600, 400);
    plot.setResult(result, layers);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.plot()->replot();

    QSignalSpy spy(&plot, &SensitivityPlot::layerSelected);
    for (int curve : { 3, 5 }) {
        // The curve's point at 80 %: the curves are apart there.
        const QCPGraph* g = plot.measuredGraph(curve);
        const auto point = g->data()->at(8);
        const QPoint at(static_cast<int>(g->keyAxis()->coordToPixel(point->key)) + 2,
            static_cast<int>(g->valueAxis()->coordToPixel(point->value)) - 2);
        QCOMPARE(plot.curveAt(at), curve);
        QTest::mouseClick(plot.plot(), Qt::LeftButton, {}, at);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst().at(0).toInt(), curve);
        QCOMPARE(plot.selectedLayer(), curve);
        // The selected curve is drawn thicker than the others.
        QVERIFY(plot.measuredGraph(curve)->pen().widthF() > plot.measuredGraph(0)->pen().widthF());
    }
    // Far from every curve: nothing.
    QTest::mouseClick(plot.plot(), Qt::LeftButton, {}, QPoint(3, 3));
    QCOMPARE(spy.count(), 0);

    plot.setSelectedLayer(1);
    QVERIFY(plot.measuredGraph(1)->pen().widthF() > plot.measuredGraph(3)->pen().widthF());
}

void TestSensitivityPlot::hoveringACurveHighlightsIt()
{
    auto model = topiary::Model::fromProto(topiary::test::makeSmallCnn(), {});
    QVERIFY(model.has_value());
    const auto layers = topiary::findLayers(*model);
    auto estimate = topiary::estimateSensitivity(*model, topiary::SensitivityOptions {});
    QVERIFY(estimate.has_value());
    topiary::SensitivityResult result = *estimate;
    for (size_t l = 0; l < layers.size(); ++l)
        measure(result, layers[l].name, static_cast<int>(l) + 2);

    SensitivityPlot plot;
    plot.resize(600, 400);
    plot.setResult(result, layers);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.plot()->replot();

    const QCPGraph* g = plot.measuredGraph(2);
    const auto point = g->data()->at(8);
    const QPoint at(static_cast<int>(g->keyAxis()->coordToPixel(point->key)),
        static_cast<int>(g->valueAxis()->coordToPixel(point->value)) + 2);
    QTest::mouseMove(plot.plot(), at);
    QTRY_VERIFY(plot.measuredGraph(2)->pen().widthF() > plot.measuredGraph(0)->pen().widthF());
    // The others fade so the hovered one reads.
    QVERIFY(plot.measuredGraph(0)->pen().color().alpha() < 255);
    QCOMPARE(plot.selectedLayer(), -1); // hovering is not selecting
}

void TestSensitivityPlot::bitWidthSweeps()
{
    auto model = topiary::Model::fromProto(topiary::test::makeSmallCnn(), {});
    QVERIFY(model.has_value());
    const auto layers = topiary::findLayers(*model);
    topiary::SensitivityOptions options;
    options.ratios = { 0.5 };
    options.bits = { 8, 4, 2 };
    auto estimate = topiary::estimateSensitivity(*model, options);
    QVERIFY(estimate.has_value());

    SensitivityPlot plot;
    plot.setResult(*estimate, layers);
    QCOMPARE(plot.curveCount(), 6);
    QCOMPARE(plot.estimateGraph(0)->dataCount(), 1);
    plot.setSweepKind(topiary::SweepKind::Bits);
    QCOMPARE(plot.curveCount(), 6);
    QCOMPARE(plot.curveLayer(5), 5);
    const QCPGraph* bits = plot.estimateGraph(0);
    QCOMPARE(bits->dataCount(), 3);
    QCOMPARE(bits->data()->at(0)->key, 2.0);
    QCOMPARE(bits->data()->at(2)->key, 8.0);
    // Fewer bits keep less of the weights' energy.
    QVERIFY(bits->data()->at(0)->value < bits->data()->at(2)->value);
}

QTEST_MAIN(TestSensitivityPlot)
#include "tst_sensitivityplot.moc"
