// LayerTableModel checked as a model (QAbstractItemModelTester) and for what it shows:
// one row per layer of a small CNN, numbers worked out by hand from DESIGN.md's
// definitions, and numeric (not textual) sorting through a QSortFilterProxyModel.
#include "widgets/LayerTableModel.h"

#include "ModelBuilder.h"

#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using topiary::LayerTableModel;

namespace {

struct Expected {
    QString name;
    QString op;
    QString weightShape;
    qlonglong params;
    qlonglong macs;
    QString outputShape;
    qlonglong weightBytes;
};

// makeSmallCnn() on a 1x1x28x28 input. MACs = Cout*Hout*Wout*(Cin/groups)*kh*kw,
// Gemm: M*K*N; params = weight + bias elements of the layer itself.
const Expected expectedRows[] = {
    {u"stem"_s, u"Conv + BN"_s, u"8×1×3×3"_s, 72, 8 * 28 * 28 * 1 * 9, u"1×8×28×28"_s, 72 * 4},
    {u"block1.conv1"_s, u"Conv + BN"_s, u"8×8×3×3"_s, 576, 8 * 28 * 28 * 8 * 9, u"1×8×28×28"_s, 576 * 4},
    {u"block1.conv2"_s, u"Conv + BN"_s, u"8×8×3×3"_s, 576, 8 * 28 * 28 * 8 * 9, u"1×8×28×28"_s, 576 * 4},
    {u"dw"_s, u"Conv (depthwise) + BN"_s, u"8×1×3×3"_s, 72, 8 * 14 * 14 * 1 * 9, u"1×8×14×14"_s, 72 * 4},
    {u"pw"_s, u"Conv + BN"_s, u"16×8×1×1"_s, 128, 16 * 14 * 14 * 8, u"1×16×14×14"_s, 128 * 4},
    {u"fc"_s, u"Gemm"_s, u"10×16"_s, 170, 1 * 16 * 10, u"1×10"_s, 170 * 4},
};

} // namespace

class TestLayerTableModel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void passesModelTester();
    void hasOneRowPerLayer();
    void showsValues_data();
    void showsValues();
    void formatsWithSeparatorsAndTooltips();
    void sortsNumerically();
    void emptiesOnNullModel();
    void editsRequestPlanChanges();
    void showsAndEditsInputActivationBits();
    void showsTheLayerUnderThePlan();

private:
    std::shared_ptr<const topiary::Model> m_model;
    std::shared_ptr<const topiary::CostModel> m_cost;
};

void TestLayerTableModel::initTestCase()
{
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    auto loaded = topiary::Model::fromProto(topiary::test::makeSmallCnn(), {});
    QVERIFY2(loaded.has_value(), loaded ? "" : loaded.error().message.c_str());
    m_model = std::make_shared<const topiary::Model>(std::move(*loaded));
    m_cost = std::make_shared<const topiary::CostModel>(*m_model);
}

void TestLayerTableModel::passesModelTester()
{
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setModel(m_model, m_cost);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(LayerTableModel::SortRole);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int column = 0; column < LayerTableModel::ColumnCount; ++column) {
        proxy.sort(column, Qt::AscendingOrder);
        proxy.sort(column, Qt::DescendingOrder);
    }
    model.setModel(nullptr, nullptr);
    model.setModel(m_model, m_cost);
}

void TestLayerTableModel::hasOneRowPerLayer()
{
    LayerTableModel model;
    model.setModel(m_model, m_cost);
    QCOMPARE(model.rowCount(), static_cast<int>(m_cost->layers().size()));
    QCOMPARE(model.rowCount(), static_cast<int>(std::size(expectedRows)));
    QCOMPARE(model.columnCount(), static_cast<int>(LayerTableModel::ColumnCount));
    QCOMPARE(model.headerData(LayerTableModel::Macs, Qt::Horizontal).toString(), u"MACs"_s);
    QCOMPARE(model.headerData(2, Qt::Vertical).toInt(), 3);
}

void TestLayerTableModel::showsValues_data()
{
    QTest::addColumn<int>("row");
    for (int row = 0; row < static_cast<int>(std::size(expectedRows)); ++row)
        QTest::newRow(qPrintable(expectedRows[row].name)) << row;
}

void TestLayerTableModel::showsValues()
{
    QFETCH(int, row);
    const Expected& expected = expectedRows[row];
    LayerTableModel model;
    model.setModel(m_model, m_cost);
    auto text = [&](int column) { return model.index(row, column).data().toString(); };
    auto raw = [&](int column) { return model.index(row, column).data(LayerTableModel::SortRole).toLongLong(); };
    QCOMPARE(text(LayerTableModel::Name), expected.name);
    QCOMPARE(text(LayerTableModel::Op), expected.op);
    QCOMPARE(text(LayerTableModel::WeightShape), expected.weightShape);
    QCOMPARE(text(LayerTableModel::OutputShape), expected.outputShape);
    QCOMPARE(raw(LayerTableModel::Params), expected.params);
    QCOMPARE(raw(LayerTableModel::Macs), expected.macs);
    QCOMPARE(raw(LayerTableModel::WeightBytes), expected.weightBytes);
    QCOMPARE(text(LayerTableModel::Params), QLocale().toString(expected.params));
    QCOMPARE(text(LayerTableModel::Macs), QLocale().toString(expected.macs));
}

void TestLayerTableModel::formatsWithSeparatorsAndTooltips()
{
    LayerTableModel model;
    model.setModel(m_model, m_cost);
    QCOMPARE(model.index(1, LayerTableModel::Macs).data().toString(), u"451,584"_s);
    QCOMPARE(model.index(1, LayerTableModel::Macs).data(Qt::ToolTipRole).toString(),
             u"451,584 multiply-accumulates"_s);
    QCOMPARE(model.index(1, LayerTableModel::WeightBytes).data().toString(), u"2.30 kB"_s);
    QCOMPARE(model.index(1, LayerTableModel::WeightBytes).data(Qt::ToolTipRole).toString(), u"2,304 bytes"_s);
    QCOMPARE(model.index(5, LayerTableModel::WeightBytes).data().toString(), u"680 B"_s);
    // The BN folded into the row is named in the tooltip, with its own params.
    QVERIFY(model.index(1, LayerTableModel::Params).data(Qt::ToolTipRole).toString().contains(u"adds 16 more"_s));
    QVERIFY(model.index(0, LayerTableModel::Name).data(Qt::ToolTipRole).toString().contains(u"stem_bn"_s));
}

void TestLayerTableModel::sortsNumerically()
{
    LayerTableModel model;
    model.setModel(m_model, m_cost);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(LayerTableModel::SortRole);
    auto names = [&] {
        QStringList list;
        for (int row = 0; row < proxy.rowCount(); ++row)
            list << proxy.index(row, LayerTableModel::Name).data().toString();
        return list;
    };

    // As text, "14,112" < "160" < "25,088"; as numbers fc (160) comes first.
    proxy.sort(LayerTableModel::Macs, Qt::AscendingOrder);
    QCOMPARE(names().first(), u"fc"_s);
    QCOMPARE(names().mid(0, 4), (QStringList{u"fc"_s, u"dw"_s, u"pw"_s, u"stem"_s}));

    // As text, "72" > "576"; as numbers the 576-param convs are largest.
    proxy.sort(LayerTableModel::Params, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, LayerTableModel::Params).data(LayerTableModel::SortRole).toLongLong(), 576);
    QCOMPARE(proxy.index(2, LayerTableModel::Params).data(LayerTableModel::SortRole).toLongLong(), 170);
    QCOMPARE(proxy.index(5, LayerTableModel::Params).data(LayerTableModel::SortRole).toLongLong(), 72);

    // Output shapes sort by element count: 1x10 smallest, 1x8x28x28 largest.
    proxy.sort(LayerTableModel::OutputShape, Qt::AscendingOrder);
    QCOMPARE(names().first(), u"fc"_s);

    // Unsorted is the topological order.
    proxy.sort(-1);
    QCOMPARE(names(), (QStringList{u"stem"_s, u"block1.conv1"_s, u"block1.conv2"_s, u"dw"_s, u"pw"_s, u"fc"_s}));
}

void TestLayerTableModel::emptiesOnNullModel()
{
    LayerTableModel model;
    QCOMPARE(model.rowCount(), 0);
    model.setModel(m_model, m_cost);
    QCOMPARE(model.rowCount(), 6);
    model.setModel(nullptr, nullptr);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.index(0, 0).isValid());
}


void TestLayerTableModel::editsRequestPlanChanges()
{
    LayerTableModel model;
    model.setModel(m_model, m_cost);
    QSignalSpy ratios(&model, &LayerTableModel::pruneRatioEdited);
    QSignalSpy bits(&model, &LayerTableModel::bitsEdited);
    const QModelIndex pruned = model.index(4, LayerTableModel::Pruned);
    const QModelIndex width = model.index(5, LayerTableModel::Bits);
    QVERIFY(model.flags(pruned) & Qt::ItemIsEditable);
    QVERIFY(model.flags(width) & Qt::ItemIsEditable);
    QVERIFY(!(model.flags(model.index(0, LayerTableModel::Params)) & Qt::ItemIsEditable));
    QVERIFY(model.setData(pruned, 30));
    QVERIFY(model.setData(width, 8));
    QVERIFY(!model.setData(pruned, 120)); // beyond 95 %
    QVERIFY(!model.setData(width, 1));
    QVERIFY(!model.setData(width, u"eight"_s));
    QCOMPARE(ratios.count(), 1);
    QCOMPARE(ratios.first().at(0).toInt(), 4);
    QCOMPARE(ratios.first().at(1).toDouble(), 0.3);
    QCOMPARE(bits.count(), 1);
    QCOMPARE(bits.first().at(1).toInt(), 8);
    // The cell changes when the application sets the plan, not before.
    QCOMPARE(model.data(pruned).toString(), QString(QChar(0x2014)));
}

void TestLayerTableModel::showsTheLayerUnderThePlan()
{
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setModel(m_model, m_cost);
    const auto groups = topiary::findDependencyGroups(*m_model, m_cost->layers());
    const topiary::StatsModel stats(*m_model, *m_cost, groups);
    // pw: 16 filters, half of them pruned, 8-bit weights.
    topiary::Plan plan = topiary::withLayerPrune({}, m_cost->layers(), groups, 4,
        { topiary::PruneGranularity::Filter, topiary::Criterion::L1, topiary::PruneMode::Ratio, 0.5 });
    plan.setQuant("pw", { topiary::QuantScheme::Uniform, 8, true, true });
    model.setPlan(plan, stats.compute(plan));
    QCOMPARE(model.data(model.index(4, LayerTableModel::Pruned)).toString(), u"50 %"_s);
    QCOMPARE(model.data(model.index(4, LayerTableModel::Bits)).toString(), u"8"_s);
    QCOMPARE(model.data(model.index(0, LayerTableModel::Bits)).toString(), u"32 (float)"_s);
    // 8 of 16 filters over 8 inputs; fc loses 8 of its 16 input columns.
    QCOMPARE(model.data(model.index(4, LayerTableModel::Params)).toString(), u"64"_s);
    QCOMPARE(model.data(model.index(4, LayerTableModel::Macs), LayerTableModel::SortRole).toLongLong(),
        qlonglong { 8 * 14 * 14 * 8 });
    QCOMPARE(model.data(model.index(5, LayerTableModel::Params)).toString(), u"90"_s);
    // 64 weights x 8 bits + 8 per-channel float scales.
    QCOMPARE(model.data(model.index(4, LayerTableModel::WeightBytes), LayerTableModel::SortRole).toLongLong(),
        qlonglong { 64 + 8 * 4 });
}

// The Inputs column: float, 8 (uint8) or 8 (int8) under the plan; an edit is a request.
void TestLayerTableModel::showsAndEditsInputActivationBits()
{
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setModel(m_model, m_cost);
    const auto groups = topiary::findDependencyGroups(*m_model, m_cost->layers());
    const topiary::StatsModel stats(*m_model, *m_cost, groups);
    topiary::Plan plan;
    plan.setActivation("pw", { 8, false });
    plan.setActivation(m_cost->layers()[5].name, { 8, true });
    model.setPlan(plan, stats.compute(plan));
    QCOMPARE(model.headerData(LayerTableModel::Activations, Qt::Horizontal).toString(), u"Inputs"_s);
    QCOMPARE(model.data(model.index(0, LayerTableModel::Activations)).toString(), u"float"_s);
    QCOMPARE(model.data(model.index(4, LayerTableModel::Activations)).toString(), u"8 (uint8)"_s);
    QCOMPARE(model.data(model.index(5, LayerTableModel::Activations)).toString(), u"8 (int8)"_s);
    QCOMPARE(model.data(model.index(4, LayerTableModel::Activations), Qt::EditRole).toString(), u"uint8"_s);
    QVERIFY(model.data(model.index(0, LayerTableModel::Activations), LayerTableModel::SortRole).toInt()
        > model.data(model.index(5, LayerTableModel::Activations), LayerTableModel::SortRole).toInt());

    QSignalSpy edits(&model, &LayerTableModel::activationEdited);
    const QModelIndex cell = model.index(2, LayerTableModel::Activations);
    QVERIFY(model.flags(cell) & Qt::ItemIsEditable);
    QVERIFY(model.setData(cell, u"int8"_s));
    QVERIFY(model.setData(cell, u" UINT8 "_s));
    QVERIFY(model.setData(cell, u"float"_s));
    QVERIFY(!model.setData(cell, u"4"_s));
    QCOMPARE(edits.count(), 3);
    QCOMPARE(edits.at(0).at(0).toInt(), 2);
    QCOMPARE(edits.at(0).at(1).value<topiary::ActivationSpec>(), (topiary::ActivationSpec { 8, true }));
    QCOMPARE(edits.at(1).at(1).value<topiary::ActivationSpec>(), (topiary::ActivationSpec { 8, false }));
    QCOMPARE(edits.at(2).at(1).value<topiary::ActivationSpec>(), topiary::ActivationSpec {});
    QCOMPARE(model.data(cell).toString(), u"float"_s); // until the application sets the plan
}

QTEST_MAIN(TestLayerTableModel)
#include "tst_layertablemodel.moc"
