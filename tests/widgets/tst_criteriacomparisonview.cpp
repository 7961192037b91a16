// CriteriaComparisonView on rankings the core computes for a tiny hand-made model: a real
// click on a ranked filter marks that filter in every criterion's column, the Measure
// button emits the fraction the controls show, unavailable criteria are greyed with their
// reason, and measurements become one bar per measured criterion with the current plan
// as a line; in a long ranking the table scrolls to the followed filter, set by hand or
// kept across new rankings of the same layer. With CRITERIA_SHOT_DIR set it also renders
// the view on the bundled sample (measured), on a long ranking following its last filter
// and on resnet18_bn, for a person to look at.
#include "widgets/CriteriaComparisonView.h"

#include "ModelBuilder.h"
#include "core/analysis/CriteriaComparison.h"
#include "core/data/Dataset.h"
#include "core/eval/Evaluator.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"

#include <qcustomplot.h>

#include <QHeaderView>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

#include <filesystem>

using namespace topiary;
using topiary::test::ModelBuilder;

namespace {

// Four filters whose L1 order is 2,1,0,3, L2 order 0,2,1,3 and |gamma| order 1,3,2,0.
Model tinyModel()
{
    ModelBuilder b;
    b.input("x", { 1, 2, 3, 3 });
    b.weight("c1.w", { 4, 2, 1, 1 }, { 2.9f, 0.0f, 1.5f, 1.5f, -2.0f, 2.0f, 0.0f, 0.5f });
    b.node("Conv", { "x", "c1.w" }, { "a" }, "c1");
    b.weight("bn.weight", { 4 }, { 0.1f, -0.9f, 0.5f, 0.7f });
    b.weight("bn.bias", { 4 }, { 0.0f, 0.0f, 0.0f, 0.0f });
    b.weight("bn.mean", { 4 }, { 0.0f, 0.0f, 0.0f, 0.0f });
    b.weight("bn.var", { 4 }, { 1.0f, 1.0f, 1.0f, 1.0f });
    b.node("BatchNormalization", { "a", "bn.weight", "bn.bias", "bn.mean", "bn.var" }, { "an" }, "bn");
    b.node("Relu", { "an" }, { "r" }, "relu");
    b.weight("c2.w", { 2, 4, 1, 1 }, { 1, 2, 3, 4, 5, 6, 7, 8 });
    b.node("Conv", { "r", "c2.w" }, { "y" }, "c2");
    b.output("y", { 1, 2, 3, 3 });
    auto m = Model::fromProto(b.build(), ".");
    Q_ASSERT(m.has_value());
    return std::move(*m);
}

// kLongFilters filters, 1×1 on one input channel with weights i − 150 (filter i) and BN
// scales rising with i, except filter 150: weight 0 (the geometric median too) and the
// smallest scale. L1, L2, FPGM and BN scale all rank it last.
constexpr int kLongFilters = 301;
constexpr int kLast = 150;

Model longModel()
{
    ModelBuilder b;
    b.input("x", { 1, 1, 3, 3 });
    std::vector<float> w(kLongFilters), gamma(kLongFilters), zeros(kLongFilters, 0.0f), ones(kLongFilters, 1.0f);
    for (int i = 0; i < kLongFilters; ++i) {
        w[static_cast<size_t>(i)] = static_cast<float>(i - kLast);
        gamma[static_cast<size_t>(i)] = i == kLast ? 0.001f : 1.0f + 0.01f * static_cast<float>(i);
    }
    b.weight("c1.w", { kLongFilters, 1, 1, 1 }, w);
    b.node("Conv", { "x", "c1.w" }, { "a" }, "c1");
    b.weight("bn.weight", { kLongFilters }, gamma);
    b.weight("bn.bias", { kLongFilters }, zeros);
    b.weight("bn.mean", { kLongFilters }, zeros);
    b.weight("bn.var", { kLongFilters }, ones);
    b.node("BatchNormalization", { "a", "bn.weight", "bn.bias", "bn.mean", "bn.var" }, { "an" }, "bn");
    b.node("Relu", { "an" }, { "r" }, "relu");
    b.weight("c2.w", { 2, kLongFilters, 1, 1 });
    b.node("Conv", { "r", "c2.w" }, { "y" }, "c2");
    b.output("y", { 1, 2, 3, 3 });
    auto m = Model::fromProto(b.build(), ".");
    Q_ASSERT(m.has_value());
    return std::move(*m);
}

QPoint cellCentre(QTableWidget* table, int row, int column)
{
    return table->visualRect(table->model()->index(row, column)).center();
}

// The row of `filter` in a column.
int rowOf(QTableWidget* table, int column, int filter)
{
    for (int r = 0; r < table->rowCount(); ++r)
        if (table->item(r, column) && table->item(r, column)->text() == QString::number(filter))
            return r;
    return -1;
}

// Whether the cell is wholly inside the table's viewport.
bool inSight(QTableWidget* table, int row, int column)
{
    const QRect cell = table->visualRect(table->model()->index(row, column));
    return !cell.isEmpty() && table->viewport()->rect().contains(cell);
}

EvaluationMetrics metrics(int64_t correct, int64_t labelled)
{
    EvaluationMetrics m;
    m.total = m.processed = m.labelled = labelled;
    m.top1Correct = correct;
    return m;
}

} // namespace

class TestCriteriaComparisonView : public QObject {
    Q_OBJECT

private slots:
    void clickingAFilterMarksItInEveryColumn();
    void measureButtonEmitsTheFraction();
    void unavailableCriteriaAreGreyedWithTheirReason();
    void measurementsBecomeBars();
    void followedFilterIsScrolledIntoSight();
    void renderShots();
};

void TestCriteriaComparisonView::clickingAFilterMarksItInEveryColumn()
{
    const Model model = tinyModel();
    auto c = compareCriteria(model, "c1", 0.5, Plan {});
    QVERIFY(c.has_value());
    CriteriaComparisonView view;
    view.resize(700, 600);
    view.setComparison(*c);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTableWidget* table = view.rankingTable();
    QCOMPARE(table->rowCount(), 4);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("2")); // L1's most important
    QCOMPARE(table->item(0, 1)->text(), QStringLiteral("0")); // L2's

    QSignalSpy highlighted(&view, &CriteriaComparisonView::filterHighlighted);
    // Click L2's second filter (filter 2, rank 2 by L2, rank 1 by L1, rank 3 by BN scale).
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cellCentre(table, 1, 1));
    QCOMPARE(view.highlightedFilter(), 2);
    QVERIFY(!highlighted.isEmpty());
    const QColor marked = table->item(1, 1)->background().color();
    for (int column : { 0, 1, 2, 5 }) { // APoZ (3) has no stats here, Taylor (4) no scores
        const int row = rowOf(table, column, 2);
        QVERIFY2(row >= 0, qPrintable(QString::number(column)));
        QCOMPARE(table->item(row, column)->background().color(), marked);
        QVERIFY(table->item(row, column)->font().bold());
        for (int r = 0; r < table->rowCount(); ++r)
            if (r != row)
                QVERIFY(table->item(r, column)->background().color() != marked);
    }
    QCOMPARE(rowOf(table, 0, 2), 0);
    QCOMPARE(rowOf(table, 5, 2), 2); // BN scale
    // Removed filters are shaded apart from kept ones: L1 removes 0 and 3 (ranks 3, 4).
    QVERIFY(table->item(2, 0)->background() != table->item(1, 0)->background());
    QVERIFY(table->item(2, 0)->font().strikeOut());
    QVERIFY(!table->item(1, 0)->font().strikeOut());

    // Clicking the marked filter again lets it go.
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cellCentre(table, 0, 0));
    QTest::mouseMove(&view, QPoint(1, 1)); // leave the table: no hover left
    QCOMPARE(view.highlightedFilter(), -1);
}

void TestCriteriaComparisonView::measureButtonEmitsTheFraction()
{
    const Model model = tinyModel();
    auto c = compareCriteria(model, "c1", 0.5, Plan {});
    QVERIFY(c.has_value());
    CriteriaComparisonView view;
    view.setComparison(*c);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy changed(&view, &CriteriaComparisonView::fractionChanged);
    QSignalSpy measure(&view, &CriteriaComparisonView::measureRequested);
    QSpinBox* spin = view.fractionSpinBox();
    spin->setFocus();
    spin->selectAll();
    QTest::keyClicks(spin, QStringLiteral("30"));
    QTest::keyClick(spin, Qt::Key_Return);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(changed.last().at(0).toDouble(), 0.3);
    QCOMPARE(view.fractionSlider()->value(), 30);
    QTest::mouseClick(view.measureButton(), Qt::LeftButton);
    QCOMPARE(measure.count(), 1);
    QCOMPARE(measure.at(0).at(0).toDouble(), 0.3);

    view.setMeasuring(true);
    QVERIFY(!view.measureButton()->isEnabled());
    QSignalSpy stop(&view, &CriteriaComparisonView::stopRequested);
    QTest::mouseClick(view.stopButton(), Qt::LeftButton);
    QCOMPARE(stop.count(), 1);
}

void TestCriteriaComparisonView::unavailableCriteriaAreGreyedWithTheirReason()
{
    const Model model = tinyModel();
    auto c = compareCriteria(model, "c1", 0.5, Plan {});
    QVERIFY(c.has_value());
    CriteriaComparisonView view;
    view.setComparison(*c);
    QTableWidget* table = view.rankingTable();
    const QString reason = QString::fromStdString(c->criteria[3].reason);
    QVERIFY(!reason.isEmpty());
    QCOMPARE(table->horizontalHeaderItem(3)->toolTip(), reason);
    QVERIFY(table->horizontalHeaderItem(3)->text().contains(QStringLiteral("n/a")));
    QCOMPARE(table->item(2, 3)->toolTip(), reason);
    QVERIFY(table->item(0, 3)->background() != table->item(0, 0)->background());
    QCOMPARE(view.overlapTable()->item(0, 3)->text(), QStringLiteral("–"));
    QCOMPARE(view.overlapTable()->item(0, 1)->text(), QStringLiteral("33 %"));
    for (QWidget* w : view.findChildren<QWidget*>())
        if (qobject_cast<QPushButton*>(w) || qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QAbstractSlider*>(w))
            if (w->isVisibleTo(&view))
                QVERIFY2(!w->toolTip().isEmpty(), w->metaObject()->className());
}

void TestCriteriaComparisonView::measurementsBecomeBars()
{
    const Model model = tinyModel();
    auto c = compareCriteria(model, "c1", 0.5, Plan {});
    QVERIFY(c.has_value());
    CriteriaComparisonView view;
    view.setComparison(*c);
    CriteriaMeasurement m;
    m.layer = "c1";
    m.fraction = 0.5;
    for (Criterion k : kComparedCriteria)
        m.criteria.push_back({ k, k != Criterion::Apoz, false, {} });
    view.setMeasuring(true);
    view.setMeasurement(m);
    QVERIFY(view.statusText().contains(QStringLiteral("current plan")));
    m.baselineEvaluated = true;
    m.baseline = metrics(180, 200);
    m.criteria[0].evaluated = true;
    m.criteria[0].metrics = metrics(150, 200);
    view.setMeasurement(m);
    QCOMPARE(view.bars()->data()->size(), 1);
    QCOMPARE(view.bars()->data()->at(0)->value, 75.0);
    QVERIFY(view.statusText().contains(QStringLiteral("L2")));
    m.criteria[1].evaluated = true;
    m.criteria[1].metrics = metrics(170, 200);
    m.criteria[2].evaluated = true;
    m.criteria[2].metrics = metrics(120, 200);
    m.criteria[4].evaluated = true;
    m.criteria[4].metrics = metrics(160, 200);
    view.setMeasuring(false);
    view.setMeasurement(m);
    QCOMPARE(view.bars()->data()->size(), 4);
    QCOMPARE(view.bars()->data()->at(3)->key, 5.0);
    QCOMPARE(view.bars()->data()->at(3)->value, 80.0);
    QVERIFY(view.measureButton()->isEnabled());
    QVERIFY(view.statusText().contains(QStringLiteral("200")));
    // Another fraction makes the bars stale.
    auto other = compareCriteria(model, "c1", 0.25, Plan {});
    QVERIFY(other.has_value());
    view.setComparison(*other);
    QCOMPARE(view.bars()->data()->size(), 0);
    // So does a measurement of another layer arriving late (it was running when the
    // selection changed): it is not drawn under this layer's rankings.
    view.setMeasuring(true);
    view.setComparison(*c);
    CriteriaMeasurement stale = m;
    stale.layer = "c2";
    view.setMeasurement(stale);
    QCOMPARE(view.bars()->data()->size(), 0);
    view.setMeasurement(m);
    QCOMPARE(view.bars()->data()->size(), 4);
}

void TestCriteriaComparisonView::followedFilterIsScrolledIntoSight()
{
    const Model model = longModel();
    auto c = compareCriteria(model, "c1", 0.5, Plan {});
    QVERIFY(c.has_value());
    CriteriaComparisonView view;
    view.resize(700, 600);
    view.setComparison(*c);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTableWidget* table = view.rankingTable();
    QCOMPARE(table->rowCount(), kLongFilters);
    const std::vector<int> ranked { 0, 1, 2, 5 }; // APoZ (3) has no stats here, Taylor (4) no scores
    for (int column : ranked)
        QCOMPARE(rowOf(table, column, kLast), kLongFilters - 1);
    QVERIFY(!inSight(table, kLongFilters - 1, 0)); // the table opens on the top ranks

    // Followed from elsewhere (set by hand): its marks scroll into sight.
    view.setHighlightedFilter(kLast);
    for (int column : ranked)
        QVERIFY2(inSight(table, kLongFilters - 1, column), qPrintable(QString::number(column)));

    // New rankings of the same layer keep the filter followed, and in sight.
    table->scrollToTop();
    QVERIFY(!inSight(table, kLongFilters - 1, 0));
    auto other = compareCriteria(model, "c1", 0.2, Plan {});
    QVERIFY(other.has_value());
    view.setComparison(*other);
    QCOMPARE(view.highlightedFilter(), kLast);
    QVERIFY(inSight(table, kLongFilters - 1, 0));

    // A mark already in sight is not chased: clicking a filter leaves the table where it
    // is, under the mouse.
    table->scrollToTop();
    const int before = table->verticalScrollBar()->value();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cellCentre(table, 2, 0));
    QCOMPARE(view.highlightedFilter(), table->item(2, 0)->text().toInt());
    QCOMPARE(table->verticalScrollBar()->value(), before);

    // Followed before the view is first shown: in sight once it is.
    CriteriaComparisonView hidden;
    hidden.resize(700, 600);
    hidden.setComparison(*c);
    hidden.setHighlightedFilter(kLast);
    hidden.show();
    QVERIFY(QTest::qWaitForWindowExposed(&hidden));
    QVERIFY(inSight(hidden.rankingTable(), kLongFilters - 1, 0));
}

void TestCriteriaComparisonView::renderShots()
{
    const QByteArray dir = qgetenv("CRITERIA_SHOT_DIR");
    if (dir.isEmpty())
        QSKIP("set CRITERIA_SHOT_DIR to render screenshots");
    namespace fs = std::filesystem;
    const fs::path sample = fs::path(TOPIARY_SOURCE_DIR) / "resources" / "sample";
    {
        auto model = Model::load(sample / "fashion_cnn.onnx");
        QVERIFY(model.has_value());
        auto ds = Dataset::open(sample / "fashion-mnist-test-1000-images-idx3-ubyte");
        auto spec = loadPreprocess(sample / "preprocess.json");
        QVERIFY(ds && spec);
        auto c = compareCriteria(*model, "/pw1/conv/Conv", 0.5, Plan {});
        QVERIFY(c.has_value());
        EvaluationOptions eo;
        eo.limit = 300;
        auto m = measureCriteria(*model, "/pw1/conv/Conv", 0.5, Plan {}, Evaluator(*ds, *spec, eo));
        QVERIFY(m.has_value());
        CriteriaComparisonView view;
        view.resize(760, 720);
        view.setComparison(*c);
        view.setMeasurement(*m);
        view.setHighlightedFilter(static_cast<int>(c->criteria[0].order[5]));
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.plot()->replot();
        view.grab().save(QString::fromUtf8(dir) + QStringLiteral("/criteria-sample.png"));
    }
    {
        const Model model = longModel();
        auto c = compareCriteria(model, "c1", 0.5, Plan {});
        QVERIFY(c.has_value());
        CriteriaComparisonView view;
        view.resize(520, 640);
        view.setComparison(*c);
        view.setHighlightedFilter(kLast);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.grab().save(QString::fromUtf8(dir) + QStringLiteral("/criteria-long-followed.png"));
    }
    const fs::path resnet = (qEnvironmentVariable("TOPIARY_REFERENCE_DIR") + QStringLiteral("/resnet18_bn.onnx")).toStdString();
    if (fs::exists(resnet)) {
        auto model = Model::load(resnet);
        QVERIFY(model.has_value());
        const auto layers = findLayers(*model);
        for (const char* name : { "/layer2/layer2.0/conv1/Conv", "/layer1/layer1.0/conv2/Conv" }) {
            auto c = compareCriteria(*model, name, 0.3, Plan {});
            if (!c) {
                qWarning() << QString::fromStdString(c.error().message);
                continue;
            }
            CriteriaComparisonView view;
            view.resize(520, 640);
            view.setComparison(*c);
            view.setHighlightedFilter(3);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            view.grab().save(QString::fromUtf8(dir) + QStringLiteral("/criteria-resnet-")
                + QString::fromStdString(name).section(QLatin1Char('/'), 2, 2) + QStringLiteral(".png"));
        }
    }
}

QTEST_MAIN(TestCriteriaComparisonView)
#include "tst_criteriacomparisonview.moc"
