// The weight histogram as a user meets it: dragging the cut with the mouse reports the
// magnitude under the mouse, bins inside the cut turn grey, quantization levels from a
// real inspection are drawn one line each, an MSE-chosen clipping range is drawn where the
// quantizer put it (beside min/max), and the plot saves as an image.
#include "ModelBuilder.h"

#include "widgets/LayerInspector.h"
#include "widgets/WeightHistogramPlot.h"

#include "core/model/DependencyGroups.h"
#include "core/compress/Importance.h"
#include "core/analysis/LayerInspection.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"
#include "core/compress/Quantizer.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <qcustomplot.h>

#include <cmath>
#include <limits>

using namespace topiary;
using topiary::test::ModelBuilder;

namespace {

// 2001 values -1, -0.999, ..., 1: 100 bins of width 0.02 over [-1, 1].
Histogram evenHistogram()
{
    std::vector<float> values;
    for (int i = -1000; i <= 1000; ++i)
        values.push_back(static_cast<float>(i) / 1000.0f);
    return histogram(values, 100);
}

// Bins whose centre c = -1 + 0.02·(i + 0.5) lies inside (-t, t), counted the slow way.
int binsInside(double t)
{
    int n = 0;
    for (int i = 0; i < 100; ++i)
        n += std::fabs(-1.0 + 0.02 * (i + 0.5)) < t ? 1 : 0;
    return n;
}

QPoint pixelAt(QCustomPlot* plot, double x)
{
    const int px = static_cast<int>(std::lround(plot->xAxis->coordToPixel(x)));
    return {px, plot->axisRect()->center().y()};
}

} // namespace

class TestWeightHistogramPlot : public QObject {
    Q_OBJECT

private slots:
    void greyBinsFollowTheThreshold();
    void draggingTheLineEmitsTheMagnitudeUnderTheMouse();
    void dragFromTheLeftLineAndOutsideTheLines();
    void pressAwayFromTheLinesDoesNothing();
    void quantizationLevelsAreDrawnOneLineEach();
    void mseClippingRangeIsDrawnWhereCoreChoseIt();
    void captionWrapsInANarrowPlot();
    void savesImages();
    void eightBitLevelsThinOutToStayApart();
};

void TestWeightHistogramPlot::greyBinsFollowTheThreshold()
{
    WeightHistogramPlot plot;
    const Histogram h = evenHistogram();
    plot.setData(h, 0.3, 0.3, {});
    QCOMPARE(plot.greyBinCount(), binsInside(0.3));
    QCOMPARE(plot.greyBinCount(), 30);
    plot.setData(h, 0.55, 0.55, {});
    QCOMPARE(plot.greyBinCount(), 54);  // centres ±0.01 .. ±0.53
    // A cut through the middle of a bin: grey by majority, i.e. by the bin's centre.
    plot.setData(h, 0.309, 0.31, {});  // centre 0.31 is outside
    QCOMPARE(plot.greyBinCount(), 30);
    plot.setData(h, 0.311, 0.31, {});  // centre 0.31 is inside
    QCOMPARE(plot.greyBinCount(), 32);
    plot.setData(h, 2.0, 1.0, {});
    QCOMPARE(plot.greyBinCount(), 100);
    // No element pruning: nothing grey, the lines wait at zero.
    plot.setData(h, std::nullopt, 0.0, {});
    QCOMPARE(plot.greyBinCount(), 0);
    QVERIFY(!plot.hasThreshold());
    QCOMPARE(plot.threshold(), 0.0);
}

void TestWeightHistogramPlot::draggingTheLineEmitsTheMagnitudeUnderTheMouse()
{
    WeightHistogramPlot plot;
    plot.resize(640, 360);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.setData(evenHistogram(), 0.3, 0.3, {});
    plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
    QSignalSpy dragged(&plot, &WeightHistogramPlot::thresholdDragged);
    QSignalSpy finished(&plot, &WeightHistogramPlot::thresholdDragFinished);

    QCustomPlot* p = plot.plot();
    const QPoint start = pixelAt(p, 0.3);
    QTest::mousePress(p, Qt::LeftButton, {}, start);
    QVERIFY(plot.isDragging());
    const QPoint mid = pixelAt(p, 0.4);
    const QPoint end = pixelAt(p, 0.5);
    QTest::mouseMove(p, mid);
    QTest::mouseMove(p, end);
    QTest::mouseRelease(p, Qt::LeftButton, {}, end);
    QVERIFY(!plot.isDragging());

    const double binWidth = 0.02;
    QCOMPARE(dragged.count(), 2);
    QVERIFY(std::fabs(dragged.at(0).at(0).toDouble() - 0.4) < binWidth);
    QVERIFY(std::fabs(dragged.at(1).at(0).toDouble() - 0.5) < binWidth);
    QCOMPARE(finished.count(), 1);
    const double released = finished.at(0).at(0).toDouble();
    QVERIFY2(std::fabs(released - 0.5) < binWidth, qPrintable(QString::number(released)));
    // The lines and the grey bins follow the mouse before the document answers.
    QCOMPARE(plot.threshold(), released);
    QCOMPARE(plot.greyBinCount(), binsInside(released));
}

void TestWeightHistogramPlot::dragFromTheLeftLineAndOutsideTheLines()
{
    WeightHistogramPlot plot;
    plot.resize(640, 360);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.setData(evenHistogram(), 0.6, 0.6, {});
    plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
    QSignalSpy finished(&plot, &WeightHistogramPlot::thresholdDragFinished);

    // The left line at -0.6, dragged to -0.2: the cut is a magnitude, 0.2.
    QCustomPlot* p = plot.plot();
    QTest::mousePress(p, Qt::LeftButton, {}, pixelAt(p, -0.6));
    QTest::mouseMove(p, pixelAt(p, -0.2));
    // Data the document sends while the drag goes on does not pull the line back.
    plot.setData(evenHistogram(), 0.6, 0.6, {});
    QCOMPARE(plot.greyBinCount(), binsInside(plot.threshold()));
    QVERIFY(std::fabs(plot.threshold() - 0.2) < 0.02);
    QTest::mouseRelease(p, Qt::LeftButton, {}, pixelAt(p, -0.2));
    QCOMPARE(finished.count(), 1);
    QVERIFY(std::fabs(finished.at(0).at(0).toDouble() - 0.2) < 0.02);

    // Without an element cut the lines rest at zero and can be dragged out from there.
    plot.setData(evenHistogram(), std::nullopt, 0.0, {});
    plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
    QTest::mousePress(p, Qt::LeftButton, {}, pixelAt(p, 0.0));
    QTest::mouseMove(p, pixelAt(p, 0.25));
    QTest::mouseRelease(p, Qt::LeftButton, {}, pixelAt(p, 0.25));
    QCOMPARE(finished.count(), 2);
    QVERIFY(std::fabs(finished.at(1).at(0).toDouble() - 0.25) < 0.02);
    QVERIFY(plot.hasThreshold());
}

void TestWeightHistogramPlot::pressAwayFromTheLinesDoesNothing()
{
    WeightHistogramPlot plot;
    plot.resize(640, 360);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.setData(evenHistogram(), 0.3, 0.3, {});
    plot.plot()->replot(QCustomPlot::rpImmediateRefresh);
    QSignalSpy dragged(&plot, &WeightHistogramPlot::thresholdDragged);
    QSignalSpy finished(&plot, &WeightHistogramPlot::thresholdDragFinished);
    QCustomPlot* p = plot.plot();
    QTest::mousePress(p, Qt::LeftButton, {}, pixelAt(p, 0.7));
    QTest::mouseMove(p, pixelAt(p, 0.8));
    QTest::mouseRelease(p, Qt::LeftButton, {}, pixelAt(p, 0.8));
    QCOMPARE(dragged.count(), 0);
    QCOMPARE(finished.count(), 0);
    QCOMPARE(plot.threshold(), 0.3);
}

void TestWeightHistogramPlot::quantizationLevelsAreDrawnOneLineEach()
{
    // A 4 x 4 1x1 conv with weights evenly spread over [-1, 1].
    ModelBuilder b;
    b.input("x", {1, 4, 2, 2});
    std::vector<float> w;
    for (int i = 0; i < 16; ++i)
        w.push_back((static_cast<float>(i) - 7.5f) / 7.5f);
    b.weight("c.weight", {4, 4, 1, 1}, w);
    auto& n = b.node("Conv", {"x", "c.weight"}, {"y"}, "c");
    topiary::test::setAttr(n, "kernel_shape", std::vector<int64_t>{1, 1});
    b.output("y");
    auto model = Model::fromProto(b.build(), {});
    QVERIFY(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);

    WeightHistogramPlot plot;
    const auto levelsFor = [&](QuantSpec spec) {
        auto in = inspectLayer(*model, layers, groups, 0, Plan{}.withQuant("c", spec), weightScorer(*model, layers));
        if (!in)
            qFatal("%s", in.error().message.c_str());
        plot.setData(in->histogram, in->elementThreshold, in->elementPrunedFraction, in->levels.values);
        return plot.drawnLevelCount();
    };
    // Symmetric 2 bits: -1, 0, 1 (s = max|w| = 1); 4 bits: 15 levels, all inside [-1, 1].
    QCOMPARE(levelsFor({QuantScheme::Uniform, 2, true, false}), 3);
    QCOMPARE(levelsFor({QuantScheme::Uniform, 4, true, false}), 15);
    // Asymmetric 2 bits: s = 2/3, zero point 2: -4/3 lies outside the data, 3 remain.
    QCOMPARE(levelsFor({QuantScheme::Uniform, 2, false, false}), 3);
    QCOMPARE(levelsFor({QuantScheme::Ternary, 2, true, false}), 3);
    QCOMPARE(levelsFor({QuantScheme::Float32, 32, true, false}), 0);
}

void TestWeightHistogramPlot::mseClippingRangeIsDrawnWhereCoreChoseIt()
{
    // Fifteen weights spread over [-0.3, 0.3] and one outlier at 1: at 3 bits an MSE range
    // clips the outlier to keep the others' steps fine.
    ModelBuilder b;
    b.input("x", {1, 4, 2, 2});
    std::vector<float> w;
    for (int i = 0; i < 15; ++i)
        w.push_back((static_cast<float>(i) - 7.0f) / 7.0f * 0.3f);
    w.push_back(1.0f);
    b.weight("c.weight", {4, 4, 1, 1}, w);
    auto& n = b.node("Conv", {"x", "c.weight"}, {"y"}, "c");
    topiary::test::setAttr(n, "kernel_shape", std::vector<int64_t>{1, 1});
    b.output("y");
    auto model = Model::fromProto(b.build(), {});
    QVERIFY(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);

    QuantSpec spec{QuantScheme::Uniform, 3, true, false};
    spec.range = QuantRange::Mse;
    const Plan plan = Plan{}.withQuant("c", spec);
    auto in = inspectLayer(*model, layers, groups, 0, plan, weightScorer(*model, layers));
    QVERIFY(in.has_value());

    // The range as the quantizer chose it, and as min/max would: [(qmin - z)·s, (qmax - z)·s].
    auto q = quantize(*model, layers[0], spec);
    QVERIFY(q.has_value());
    const double low = static_cast<float>(q->qmin - q->zeroPoints[0]) * q->scales[0];
    const double high = static_cast<float>(q->qmax - q->zeroPoints[0]) * q->scales[0];
    QVERIFY2(high < 0.9, qPrintable(QString::number(high))); // the outlier is clipped
    QuantSpec minMax = spec;
    minMax.range = QuantRange::MinMax;
    auto full = quantize(*model, layers[0], minMax);
    QVERIFY(full.has_value());

    // Through the inspector, as the window shows it.
    LayerInspector inspector;
    inspector.setInspection(*in, plan.spec("c"));
    auto* plot = inspector.findChild<WeightHistogramPlot*>();
    QVERIFY(plot);
    const auto drawn = plot->drawnClipRange();
    QVERIFY(drawn.has_value());
    QCOMPARE(drawn->first, low);
    QCOMPARE(drawn->second, high);
    const auto range = plot->drawnMinMaxRange();
    QVERIFY(range.has_value());
    QCOMPARE(range->first, static_cast<double>(static_cast<float>(full->qmin) * full->scales[0]));
    QCOMPARE(range->second, static_cast<double>(static_cast<float>(full->qmax) * full->scales[0]));
    QVERIFY(qAbs(range->second - 1.0) < 1e-6); // max|w|: nothing clipped
    QCOMPARE(plot->clipLabelText(), QStringLiteral("MSE range"));
    QVERIFY2(plot->captionText().contains(QStringLiteral("MSE clipping range")), qPrintable(plot->captionText()));

    // A min/max grid draws no clipping range.
    auto plain = inspectLayer(*model, layers, groups, 0, Plan{}.withQuant("c", minMax), weightScorer(*model, layers));
    QVERIFY(plain.has_value());
    inspector.setInspection(*plain, Plan{}.withQuant("c", minMax).spec("c"));
    QVERIFY(!plot->drawnClipRange());
    QVERIFY(!plot->drawnMinMaxRange());
    QVERIFY(plot->clipLabelText().isEmpty());
}

void TestWeightHistogramPlot::captionWrapsInANarrowPlot()
{
    // The inspector can leave the histogram narrow: its caption must not lose its start.
    WeightHistogramPlot plot;
    plot.resize(260, 220);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.setData(evenHistogram(), std::nullopt, 0.0, {});
    QCustomPlot* p = plot.plot();
    p->replot(QCustomPlot::rpImmediateRefresh);
    QCPItemText* caption = nullptr;
    for (int i = 0; i < p->itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(p->item(i)))
            caption = text;
    QVERIFY(caption);
    const QStringList lines = caption->text().split(QLatin1Char('\n'));
    QVERIFY2(lines.size() > 1, qPrintable(caption->text()));
    const QFontMetrics metrics(caption->font());
    for (const QString& line : lines)
        QVERIFY2(metrics.horizontalAdvance(line) <= p->axisRect()->width(), qPrintable(line));
    // Wide again: one line.
    plot.resize(900, 300);
    QTRY_VERIFY(p->axisRect()->width() > 700);
    p->replot(QCustomPlot::rpImmediateRefresh);
    QCOMPARE(caption->text().count(QLatin1Char('\n')), 0);
}

void TestWeightHistogramPlot::savesImages()
{
    WeightHistogramPlot plot;
    plot.resize(500, 300);
    plot.setData(evenHistogram(), 0.3, 0.3, std::vector<double>{-0.5, 0.0, 0.5});
    QTemporaryDir dir;
    QVERIFY(plot.saveImage(dir.filePath(QStringLiteral("h.png"))));
    QImage image(dir.filePath(QStringLiteral("h.png")));
    QCOMPARE(image.size(), QSize(500, 300));
    QVERIFY(plot.saveImage(dir.filePath(QStringLiteral("h.svg"))));
    QVERIFY(plot.saveImage(dir.filePath(QStringLiteral("h.PDF"))));
    QVERIFY(!plot.saveImage(dir.filePath(QStringLiteral("h.bmpx"))));
}

// 8 bits per tensor over weights in [-1, 1]: 255 levels 1/127 apart. In a 300-pixel plot
// drawing all of them would paint a line every 2 pixels over the bars; every k-th is
// drawn instead, at least 4 pixels apart, zero among them, and the caption says so.
// Wide enough for 4-bit levels, all 15 are drawn.
void TestWeightHistogramPlot::eightBitLevelsThinOutToStayApart()
{
    ModelBuilder b;
    b.input("x", {1, 4, 2, 2});
    std::vector<float> w;
    for (int i = 0; i < 16; ++i)
        w.push_back((static_cast<float>(i) - 7.5f) / 7.5f);
    b.weight("c.weight", {4, 4, 1, 1}, w);
    auto& n = b.node("Conv", {"x", "c.weight"}, {"y"}, "c");
    topiary::test::setAttr(n, "kernel_shape", std::vector<int64_t>{1, 1});
    b.output("y");
    auto model = Model::fromProto(b.build(), {});
    QVERIFY(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    auto in = inspectLayer(*model, layers, groups, 0, Plan{}.withQuant("c", {QuantScheme::Uniform, 8, true, false}),
                           weightScorer(*model, layers));
    QVERIFY(in.has_value());
    QCOMPARE(in->levels.values.size(), size_t{255});

    WeightHistogramPlot plot;
    plot.resize(300, 220);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.setData(in->histogram, std::nullopt, 0.0, in->levels.values);
    QCustomPlot* p = plot.plot();
    p->replot(QCustomPlot::rpImmediateRefresh);
    const int drawn = plot.drawnLevelCount();
    QVERIFY2(drawn > 10 && drawn < 100, qPrintable(QString::number(drawn)));
    QCPGraph* levels = nullptr;
    for (int i = 0; i < p->graphCount(); ++i)
        if (p->graph(i)->lineStyle() == QCPGraph::lsImpulse)
            levels = p->graph(i);
    QVERIFY(levels);
    bool zeroDrawn = false;
    double previous = std::numeric_limits<double>::quiet_NaN();
    for (auto it = levels->data()->constBegin(); it != levels->data()->constEnd(); ++it) {
        const double x = p->xAxis->coordToPixel(it->key);
        if (!std::isnan(previous))
            QVERIFY2(x - previous >= 3.9, qPrintable(QStringLiteral("%1 px apart").arg(x - previous)));
        previous = x;
        zeroDrawn = zeroDrawn || std::abs(it->key) < 1e-9;
    }
    QVERIFY(zeroDrawn);
    QCPItemText* caption = nullptr;
    for (int i = 0; i < p->itemCount(); ++i)
        if (auto* text = qobject_cast<QCPItemText*>(p->item(i)))
            caption = text;
    QVERIFY(caption);
    QVERIFY2(caption->text().simplified().contains(QStringLiteral("of 255 quantization levels shown")),
             qPrintable(caption->text()));

    auto four = inspectLayer(*model, layers, groups, 0, Plan{}.withQuant("c", {QuantScheme::Uniform, 4, true, false}),
                             weightScorer(*model, layers));
    QVERIFY(four.has_value());
    plot.setData(four->histogram, std::nullopt, 0.0, four->levels.values);
    p->replot(QCustomPlot::rpImmediateRefresh);
    QCOMPARE(plot.drawnLevelCount(), 15);
}

QTEST_MAIN(TestWeightHistogramPlot)
#include "tst_weighthistogramplot.moc"
