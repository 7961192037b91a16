// The importance heatmap on a real inspection of a layer built so L1 and FPGM disagree:
// struck-out rows are the plan's pruned filters, picking another criterion with the
// keyboard redraws the side bar (and says so), unavailable criteria are disabled with
// their reason, the disagreement grid and overlap numbers match the core's table, and
// the plot saves as valid PNG, SVG and PDF files.
#include "ModelBuilder.h"

#include "widgets/ImportanceHeatmap.h"

#include "core/model/DependencyGroups.h"
#include "core/analysis/LayerInspection.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QMenu>
#include <QTimer>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>
#include <qcustomplot.h>

#include <cmath>
#include <optional>

using namespace topiary;
using topiary::test::ModelBuilder;

namespace {

// conv "c": filters a = (5, 0), b = (5.1, 0), c = (4.8, 0.1), d = (-1, 0) over two inputs,
// then a BatchNorm (gammas 0.5 0.6 0.7 0.8), a ReLU and a consumer.
struct Fixture {
    std::optional<Model> model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;

    Fixture(bool withBatchNorm)
    {
        ModelBuilder b;
        b.input("x", {1, 2, 3, 3});
        b.weight("c.weight", {4, 2, 1, 1}, {5.0f, 0.0f, 5.1f, 0.0f, 4.8f, 0.1f, -1.0f, 0.0f});
        auto& c = b.node("Conv", {"x", "c.weight"}, {"y"}, "c");
        topiary::test::setAttr(c, "kernel_shape", std::vector<int64_t>{1, 1});
        std::string relu = "y";
        if (withBatchNorm) {
            b.batchNorm("bn", "y", "yn", 4);
            relu = "yn";
        }
        b.node("Relu", {relu}, {"r"}, "relu");
        b.weight("next.weight", {1, 4, 1, 1}, {1, 1, 1, 1});
        auto& next = b.node("Conv", {"r", "next.weight"}, {"out"}, "next");
        topiary::test::setAttr(next, "kernel_shape", std::vector<int64_t>{1, 1});
        b.output("out");
        auto m = Model::fromProto(b.build(), {});
        if (!m)
            qFatal("%s", m.error().message.c_str());
        model.emplace(std::move(*m));
        layers = findLayers(*model);
        groups = findDependencyGroups(*model, layers);
    }

    LayerInspection inspect(const Plan& plan) const
    {
        auto in = inspectLayer(*model, layers, groups, 0, plan, weightScorer(*model, layers));
        if (!in)
            qFatal("%s", in.error().message.c_str());
        return std::move(*in);
    }

    Plan prune(Criterion criterion, double ratio) const
    {
        return withLayerPrune(Plan{}, layers, groups, 0, {PruneGranularity::Filter, criterion, PruneMode::Ratio, ratio});
    }
};

void show(ImportanceHeatmap& map, const LayerInspection& in)
{
    map.setData(in.kernels, in.criteria, in.keptFilters, in.disagreement);
}

int selectorIndex(const ImportanceHeatmap& map, Criterion c)
{
    return map.criterionBox()->findData(static_cast<int>(c));
}

bool selectorEnabled(const ImportanceHeatmap& map, Criterion c)
{
    auto* model = qobject_cast<QStandardItemModel*>(map.criterionBox()->model());
    return model->item(selectorIndex(map, c))->isEnabled();
}

} // namespace

class TestImportanceHeatmap : public QObject {
    Q_OBJECT

private slots:
    void struckOutRowsAreThePrunedFilters();
    void switchingCriterionRedrawsTheSideBar();
    void unavailableCriteriaAreDisabledWithTheirReason();
    void disagreementGridAndOverlap();
    void savesValidImages();
    void filterRowMenuRequestsATrace();
    void axisLabelsNeverRunTogether();
};

void TestImportanceHeatmap::struckOutRowsAreThePrunedFilters()
{
    const Fixture f(true);
    ImportanceHeatmap map;
    // L1 5, 5.1, 4.9, 1 at ratio 0.5: c and d go.
    const auto in = f.inspect(f.prune(Criterion::L1, 0.5));
    show(map, in);
    QCOMPARE(map.struckOutRows(), (std::vector<int>{2, 3}));
    QCOMPARE(map.greySideBarCount(), 2);
    QCOMPARE(map.sideBarValues(), (std::vector<double>{5.0, 5.1f, 4.9f, 1.0}));

    // By FPGM the plan prunes a and c instead.
    show(map, f.inspect(f.prune(Criterion::Fpgm, 0.5)));
    QCOMPARE(map.struckOutRows(), (std::vector<int>{0, 2}));
    // Nothing pruned: nothing struck out.
    show(map, f.inspect(Plan{}));
    QVERIFY(map.struckOutRows().empty());
    QCOMPARE(map.greySideBarCount(), 0);
}

void TestImportanceHeatmap::switchingCriterionRedrawsTheSideBar()
{
    const Fixture f(true);
    ImportanceHeatmap map;
    map.resize(500, 400);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    const auto in = f.inspect(Plan{});
    show(map, in);
    QSignalSpy changed(&map, &ImportanceHeatmap::criterionChanged);

    // Down from L1: L2, then FPGM (APoZ is disabled and skipped), then BN scale.
    map.criterionBox()->setFocus();
    QTest::keyClick(map.criterionBox(), Qt::Key_Down);
    QCOMPARE(map.criterion(), Criterion::L2);
    QTest::keyClick(map.criterionBox(), Qt::Key_Down);
    QCOMPARE(map.criterion(), Criterion::Fpgm);
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.at(1).at(0).value<Criterion>(), Criterion::Fpgm);
    const auto& fpgm = *in.scores(Criterion::Fpgm).scores;
    const auto bars = map.sideBarValues();
    QCOMPARE(bars.size(), fpgm.size());
    for (size_t i = 0; i < bars.size(); ++i)
        QCOMPARE(bars[i], static_cast<double>(fpgm[i]));
    QTest::keyClick(map.criterionBox(), Qt::Key_Down);
    QCOMPARE(map.criterion(), Criterion::BnScale);
    QCOMPARE(map.sideBarValues(), (std::vector<double>{0.5f, 0.6f, 0.7f, 0.8f}));

    // Setting the criterion from outside redraws without a signal.
    map.setCriterion(Criterion::L1);
    QCOMPARE(changed.count(), 3);
    QCOMPARE(map.sideBarValues()[3], 1.0);
}

void TestImportanceHeatmap::unavailableCriteriaAreDisabledWithTheirReason()
{
    const Fixture f(false);  // no BatchNorm
    ImportanceHeatmap map;
    show(map, f.inspect(Plan{}));
    QVERIFY(selectorEnabled(map, Criterion::L1));
    QVERIFY(selectorEnabled(map, Criterion::Fpgm));
    QVERIFY(!selectorEnabled(map, Criterion::BnScale));
    QVERIFY(!selectorEnabled(map, Criterion::Apoz));
    const QString bnWhy = map.criterionBox()->itemData(selectorIndex(map, Criterion::BnScale), Qt::ToolTipRole).toString();
    QVERIFY2(bnWhy.contains(QStringLiteral("BatchNormalization")), qPrintable(bnWhy));
    const QString apozWhy = map.criterionBox()->itemData(selectorIndex(map, Criterion::Apoz), Qt::ToolTipRole).toString();
    QVERIFY2(apozWhy.contains(QStringLiteral("dataset")), qPrintable(apozWhy));
    // Shown anyway (the plan's criterion may be one the layer lacks): no bars, the reason instead.
    map.setCriterion(Criterion::BnScale);
    for (double v : map.sideBarValues())
        QVERIFY(std::isnan(v));
    QCOMPARE(map.findChild<QLabel*>(QStringLiteral("criterionNote"))->text(), bnWhy);
}

void TestImportanceHeatmap::disagreementGridAndOverlap()
{
    const Fixture f(true);
    ImportanceHeatmap map;
    // Plan: L1 at 0.5 prunes c, d. At 0.5, L1 and L2 prune c, d; FPGM a, c; BN a, b.
    show(map, f.inspect(f.prune(Criterion::L1, 0.5)));
    map.setView(ImportanceHeatmap::View::Disagreement);
    QCOMPARE(map.view(), ImportanceHeatmap::View::Disagreement);
    QCOMPARE(map.disagreementMarks(), 2 + 4 * 2);  // plan row + 4 criteria, 2 filters each
    // Order: L1, L2, FPGM, BN scale (APoZ is not available).
    QCOMPARE(map.overlapText(0, 1), QStringLiteral("1.00"));
    QCOMPARE(map.overlapText(0, 2), QStringLiteral("0.33"));
    QCOMPARE(map.overlapText(2, 0), QStringLiteral("0.33"));
    QCOMPARE(map.overlapText(0, 3), QStringLiteral("0.00"));
    QCOMPARE(map.overlapText(2, 3), QStringLiteral("0.33"));
    QVERIFY(map.overlapText(4, 0).isEmpty());
}

void TestImportanceHeatmap::savesValidImages()
{
    const Fixture f(true);
    ImportanceHeatmap map;
    map.resize(520, 380);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    show(map, f.inspect(f.prune(Criterion::L1, 0.5)));
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("kernels.png"));
    const QString svg = dir.filePath(QStringLiteral("kernels.svg"));
    const QString pdf = dir.filePath(QStringLiteral("kernels.pdf"));
    QVERIFY(map.saveImage(png));
    QVERIFY(map.saveImage(svg));
    QVERIFY(map.saveImage(pdf));

    const QImage image(png);
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), map.kernelPlot()->size());
    QSvgRenderer renderer(svg);
    QVERIFY(renderer.isValid());
    QFile file(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.startsWith("%PDF-"));
    QVERIFY(bytes.trimmed().endsWith("%%EOF"));

    // The disagreement view saves itself when it is the one shown.
    map.setView(ImportanceHeatmap::View::Disagreement);
    const QString grid = dir.filePath(QStringLiteral("grid.png"));
    QVERIFY(map.saveImage(grid));
    QCOMPARE(QImage(grid).size(), map.disagreementPlot()->size());
    QVERIFY(!map.saveImage(dir.filePath(QStringLiteral("kernels.txt"))));
}

// Right-click filter row 2 of the heatmap (or its side bar): the menu offers "Show where
// filter 2 goes", which emits traceRequested(2). Outside the rows there is no such entry.
void TestImportanceHeatmap::filterRowMenuRequestsATrace()
{
    const Fixture f(true);
    ImportanceHeatmap map;
    map.resize(480, 400);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    show(map, f.inspect(Plan{}));
    QCustomPlot* plot = map.kernelPlot();
    plot->replot();
    const int y2 = static_cast<int>(plot->yAxis->coordToPixel(2.0));
    const QPoint onRow(plot->axisRect()->center().x(), y2);
    QCOMPARE(map.filterAt(onRow), 2);
    QCOMPARE(map.filterAt(QPoint(plot->axisRect()->center().x(), static_cast<int>(plot->yAxis->coordToPixel(0.0)))), 0);
    QCOMPARE(map.filterAt(QPoint(2, 2)), -1); // the margin, not a row

    QSignalSpy requested(&map, &ImportanceHeatmap::traceRequested);
    QStringList entries;
    // A right click: the press, then the context-menu event the window system sends with it.
    auto rightClick = [plot](QPoint at) {
        QTest::mouseClick(plot, Qt::RightButton, {}, at);
        QContextMenuEvent event(QContextMenuEvent::Mouse, at, plot->mapToGlobal(at));
        QApplication::sendEvent(plot, &event);
    };
    auto pickTrace = [&entries] {
        auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
        if (!menu)
            return;
        for (QAction* a : menu->actions())
            entries << a->text();
        if (auto* trace = menu->findChild<QAction*>(QStringLiteral("traceFilter")))
            trace->trigger();
        menu->close();
    };
    QTimer::singleShot(100, pickTrace);
    rightClick(onRow);
    QTRY_COMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).toInt(), 2);
    QVERIFY(entries.contains(QStringLiteral("Show where filter 2 goes")));

    entries.clear();
    QTimer::singleShot(100, pickTrace);
    rightClick(QPoint(2, 2));
    QTRY_VERIFY(!entries.isEmpty());
    QVERIFY(!entries.contains(QStringLiteral("Show where filter 2 goes")));
    QCOMPARE(requested.count(), 1);
}

// 256 filters over 16 inputs in a narrow plot: the tick labels of both axes and of the
// disagreement grid's filter axis leave room for each other at the pixels they have
// (they read "0 3 6 9 1215" and "0 50100150200250" when every step was a multiple of one).
void TestImportanceHeatmap::axisLabelsNeverRunTogether()
{
    ModelBuilder b;
    b.input("x", {1, 16, 3, 3});
    std::vector<float> weights(256 * 16);
    for (size_t i = 0; i < weights.size(); ++i)
        weights[i] = std::sin(static_cast<float>(i));
    b.weight("c.weight", {256, 16, 1, 1}, weights);
    auto& c = b.node("Conv", {"x", "c.weight"}, {"y"}, "c");
    topiary::test::setAttr(c, "kernel_shape", std::vector<int64_t>{1, 1});
    b.output("y");
    auto model = Model::fromProto(b.build(), {});
    QVERIFY(model.has_value());
    const auto layers = findLayers(*model);
    const auto groups = findDependencyGroups(*model, layers);
    auto in = inspectLayer(*model, layers, groups, 0, Plan{}, weightScorer(*model, layers));
    QVERIFY(in.has_value());

    for (const QSize size : {QSize(300, 260), QSize(520, 420)}) {
        ImportanceHeatmap map;
        map.resize(size);
        map.show();
        show(map, *in);
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        const auto check = [&](QCPAxis* axis) {
            const QVector<double> ticks = axis->tickVector();
            const QVector<QString> labels = axis->tickVectorLabels();
            QVERIFY(ticks.size() >= 2);
            const QFontMetrics metrics(axis->tickLabelFont());
            for (int i = 1; i < ticks.size(); ++i) {
                const double gap = std::abs(axis->coordToPixel(ticks[i]) - axis->coordToPixel(ticks[i - 1]));
                const double needed = axis->orientation() == Qt::Horizontal
                    ? (metrics.horizontalAdvance(labels[i]) + metrics.horizontalAdvance(labels[i - 1])) / 2.0
                    : metrics.height();
                QVERIFY2(gap > needed, qPrintable(QStringLiteral("%1x%2: %3 and %4 are %5 px apart, need %6")
                                                      .arg(size.width()).arg(size.height()).arg(labels[i - 1], labels[i])
                                                      .arg(gap).arg(needed)));
            }
        };
        map.kernelPlot()->replot();
        map.kernelPlot()->replot(); // the second sees the laid-out axis rect
        check(map.kernelPlot()->xAxis);
        check(map.kernelPlot()->yAxis);
        map.setView(ImportanceHeatmap::View::Disagreement);
        map.disagreementPlot()->replot();
        map.disagreementPlot()->replot();
        check(map.disagreementPlot()->axisRect(0)->axis(QCPAxis::atBottom));
    }
}

QTEST_MAIN(TestImportanceHeatmap)
#include "tst_importanceheatmap.moc"
