// NetworkOverviewMap on overviews computed by the core for models built here: the colour
// map's cells carry the overview's numbers, pruned cells are painted red, a real click on a
// row selects its layer, and a 60-layer network keeps its row names apart.
#include "widgets/NetworkOverviewMap.h"

#include "ModelBuilder.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/analysis/NetworkOverview.h"
#include "core/plan/Plan.h"

#include <qcustomplot.h>

#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using topiary::NetworkOverviewMap;

namespace {

struct Analysed {
    topiary::Model model;
    std::vector<topiary::Layer> layers;
    std::vector<topiary::DependencyGroup> groups;
};

Analysed analyse(const onnx::ModelProto& proto)
{
    auto model = topiary::Model::fromProto(proto, {});
    if (!model)
        qFatal("%s", model.error().message.c_str());
    auto layers = topiary::findLayers(*model);
    auto groups = topiary::findDependencyGroups(*model, layers);
    return { std::move(*model), std::move(layers), std::move(groups) };
}

// `count` 3x3 convs of 8 channels in a chain, each followed by a ReLU.
onnx::ModelProto deepChain(int count)
{
    topiary::test::ModelBuilder b;
    b.input("x", { 1, 8, 8, 8 });
    std::string in = "x";
    for (int i = 0; i < count; ++i) {
        const std::string name = "features.block" + std::to_string(i) + ".conv";
        b.conv(name, in, name + "_out", 8, 8, 3);
        b.node("Relu", { name + "_out" }, { name + "_relu" }, name + ".relu");
        in = name + "_relu";
    }
    b.output(in, { 1, 8, 8, 8 });
    return b.build();
}

const topiary::PruneSpec kFilterHalf { topiary::PruneGranularity::Filter, topiary::Criterion::L1,
    topiary::PruneMode::Ratio, 0.5 };

} // namespace

class TestNetworkOverviewMap : public QObject {
    Q_OBJECT

private slots:
    void cellsCarryTheOverviewAndPrunedCellsAreRed();
    void clickingARowSelectsItsLayer();
    void manyLayersKeepTheirNamesApart();
};

void TestNetworkOverviewMap::cellsCarryTheOverviewAndPrunedCellsAreRed()
{
    const auto a = analyse(topiary::test::makeSmallCnn());
    const topiary::Plan plan = topiary::pruneAllConvs(topiary::Plan {}, a.layers, a.groups, kFilterHalf, false);
    auto overview = topiary::networkOverview(
        a.model, a.layers, a.groups, plan, topiary::weightScorer(a.model, a.layers), topiary::Criterion::L1);
    QVERIFY(overview.has_value());
    QVERIFY(std::count(overview->pruned.begin(), overview->pruned.end(), 1.0f) > 0);

    NetworkOverviewMap map;
    map.resize(700, 400);
    map.setOverview(*overview, a.layers);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    map.plot()->replot();

    QCPColorMapData* importance = map.importanceMap()->data();
    QCPColorMapData* pruned = map.prunedMap()->data();
    const QImage image = map.plot()->toPixmap().toImage();
    int prunedCells = 0;
    for (int r = 0; r < overview->rows(); ++r)
        for (int64_t c = 0; c < overview->columns; ++c) {
            const size_t cell = overview->cell(r, c);
            const int key = static_cast<int>(c);
            if (std::isnan(overview->importance[cell])) {
                QVERIFY(std::isnan(importance->cell(key, r)));
                QVERIFY(std::isnan(pruned->cell(key, r)));
                continue;
            }
            QCOMPARE(importance->cell(key, r), double(overview->importance[cell]));
            QCOMPARE(pruned->cell(key, r), double(overview->pruned[cell]));
            // What the user sees: red over a pruned cell, the importance colour elsewhere.
            const QColor shown = image.pixelColor(map.cellCenter(r, c));
            if (overview->pruned[cell] == 1.0f) {
                ++prunedCells;
                QVERIFY2(shown.red() > 200 && shown.green() < 60 && shown.blue() < 60, qPrintable(shown.name()));
                QVERIFY(map.cellText(r, c).endsWith(u", pruned"_s));
            } else {
                QVERIFY2(shown.red() < 200 || shown.green() > 60, qPrintable(shown.name()));
                QVERIFY(map.cellText(r, c).endsWith(u", kept"_s));
            }
        }
    QVERIFY(prunedCells > 0);
}

void TestNetworkOverviewMap::clickingARowSelectsItsLayer()
{
    const auto a = analyse(topiary::test::makeSmallCnn());
    auto overview = topiary::networkOverview(a.model, a.layers, a.groups, topiary::Plan {},
        topiary::weightScorer(a.model, a.layers), topiary::Criterion::L2);
    QVERIFY(overview.has_value());
    QCOMPARE(overview->rows(), 6);

    NetworkOverviewMap map;
    map.resize(700, 400);
    map.setOverview(*overview, a.layers);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    map.plot()->replot();

    QSignalSpy spy(&map, &NetworkOverviewMap::layerSelected);
    for (int row : { 4, 1 }) {
        // Anywhere on the row, also past the layer's last filter.
        QTest::mouseClick(map.plot(), Qt::LeftButton, {}, map.cellCenter(row, overview->columns - 1));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst().at(0).toInt(), overview->layers[static_cast<size_t>(row)]);
        QCOMPARE(map.selectedLayer(), overview->layers[static_cast<size_t>(row)]);
    }
    // The selected row's name is marked on the axis.
    auto ticker = qSharedPointerCast<QCPAxisTickerText>(map.plot()->yAxis->ticker());
    QVERIFY(ticker->ticks().value(1.0).startsWith(u"▶ "_s));

    // A click outside the data selects nothing.
    QTest::mouseClick(map.plot(), Qt::LeftButton, {}, QPoint(2, 2));
    QCOMPARE(spy.count(), 0);
}

void TestNetworkOverviewMap::manyLayersKeepTheirNamesApart()
{
    const auto a = analyse(deepChain(60));
    auto overview = topiary::networkOverview(a.model, a.layers, a.groups, topiary::Plan {},
        topiary::weightScorer(a.model, a.layers), topiary::Criterion::L1);
    QVERIFY(overview.has_value());
    QCOMPARE(overview->rows(), 60);

    NetworkOverviewMap map;
    map.resize(700, 400);
    map.setOverview(*overview, a.layers);
    map.setSelectedLayer(overview->layers[33]);
    map.show();
    QVERIFY(QTest::qWaitForWindowExposed(&map));
    map.plot()->replot();

    auto ticker = qSharedPointerCast<QCPAxisTickerText>(map.plot()->yAxis->ticker());
    const auto ticks = ticker->ticks();
    QVERIFY(ticks.size() >= 5);
    QVERIFY(ticks.size() < 60);
    QVERIFY(ticks.contains(33.0));
    // Labels at least a text line apart on screen.
    const int line = QFontMetrics(map.plot()->yAxis->tickLabelFont()).height();
    double previous = -1e9;
    for (auto it = ticks.begin(); it != ticks.end(); ++it) {
        const double y = map.plot()->yAxis->coordToPixel(it.key());
        QVERIFY2(y - previous >= line, qPrintable(it.value()));
        previous = y;
    }
}

QTEST_MAIN(TestNetworkOverviewMap)
#include "tst_networkoverviewmap.moc"
