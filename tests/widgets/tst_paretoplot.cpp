// ParetoPlot on a hand-placed session of plans: both charts draw every measured point, the
// fronts are the staircases through the points nothing beats, the current plan is ringed,
// and a real click on a point (on either chart) asks for that plan.
#include "widgets/ParetoPlot.h"

#include "core/analysis/ParetoSet.h"

#include <qcustomplot.h>

#include <QSignalSpy>
#include <QTest>

#include <cmath>

using topiary::ParetoCost;
using topiary::ParetoPlot;

namespace {

topiary::ParetoPoint point(int id, double accuracy, int64_t size, int64_t macs)
{
    return { id, { accuracy, accuracy - 0.02, accuracy + 0.02, 500 }, size, macs, "plan " + std::to_string(id) };
}

topiary::ParetoSet session()
{
    topiary::ParetoSet set;
    set.add(point(0, 0.90, 44'000'000, 1'800'000'000)); // the original
    set.add(point(1, 0.88, 26'000'000, 1'600'000'000));
    set.add(point(2, 0.85, 30'000'000, 700'000'000));
    set.add(point(3, 0.80, 12'000'000, 1'100'000'000));
    set.add(point(4, 0.70, 12'000'000, 400'000'000));
    set.add(point(5, std::nan(""), 8'000'000, 300'000'000)); // still being evaluated
    return set;
}

} // namespace

class TestParetoPlot : public QObject {
    Q_OBJECT

private slots:
    void frontsAndPoints();
    void clickingAPointActivatesItsPlan();
};

void TestParetoPlot::frontsAndPoints()
{
    ParetoPlot plot;
    plot.setPoints(session());
    plot.setCurrent(2);
    for (ParetoCost cost : { ParetoCost::Size, ParetoCost::Macs }) {
        QCOMPARE(plot.pointsGraph(cost)->dataCount(), 5); // not the unmeasured one
        QCOMPARE(plot.currentGraph(cost)->dataCount(), 1);
        QCOMPARE(plot.currentGraph(cost)->data()->at(0)->value, 85.0);
    }
    // Size: 3 (12 MB, 80 %), 1 (26 MB, 88 %), 0 (44 MB, 90 %); 4 is as large as 3 and worse,
    // 2 larger than 1 and worse.
    const QCPGraph* bySize = plot.frontGraph(ParetoCost::Size);
    QCOMPARE(bySize->dataCount(), 3);
    QCOMPARE(bySize->data()->at(0)->key, 12.0);
    QCOMPARE(bySize->data()->at(0)->value, 80.0);
    QCOMPARE(bySize->data()->at(1)->key, 26.0);
    QCOMPARE(bySize->data()->at(2)->key, 44.0);
    QCOMPARE(bySize->data()->at(2)->value, 90.0);
    QCOMPARE(bySize->lineStyle(), QCPGraph::lsStepLeft);
    // MACs: 4 (400 M), 2 (700 M), 1 (1600 M), 0 (1800 M); 3 loses to 2.
    const QCPGraph* byMacs = plot.frontGraph(ParetoCost::Macs);
    QCOMPARE(byMacs->dataCount(), 4);
    const double keys[] = { 400, 700, 1600, 1800 };
    const double values[] = { 70, 85, 88, 90 };
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(byMacs->data()->at(i)->key, keys[i]);
        QCOMPARE(byMacs->data()->at(i)->value, values[i]);
    }
    QVERIFY(plot.pointText(2).endsWith(QStringLiteral("\nPareto-optimal for MACs")));
    QVERIFY(plot.pointText(3).endsWith(QStringLiteral("\nPareto-optimal for size")));
    QVERIFY(plot.pointText(0).endsWith(QStringLiteral("\nPareto-optimal for size and for MACs")));
    QVERIFY(plot.pointText(1).startsWith(QStringLiteral("plan 1\nAccuracy 88.0 % (95 %: 86.0–90.0 %, 500 images)")));

    plot.setCurrent(5); // not measured: no ring
    QCOMPARE(plot.currentGraph(ParetoCost::Size)->dataCount(), 0);
}

void TestParetoPlot::clickingAPointActivatesItsPlan()
{
    ParetoPlot plot;
    plot.resize(800, 360);
    plot.setPoints(session());
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.plot()->replot();

    QSignalSpy spy(&plot, &ParetoPlot::pointActivated);
    const std::pair<int, ParetoCost> clicks[] = { { 1, ParetoCost::Size }, { 4, ParetoCost::Macs },
        { 0, ParetoCost::Macs } };
    for (const auto& [id, chart] : clicks) {
        const QPoint at = plot.pointPosition(id, chart) + QPoint(2, 1);
        QTest::mouseClick(plot.plot(), Qt::LeftButton, {}, at);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.takeFirst().at(0).toInt(), id);
    }
    // Empty space activates nothing.
    QTest::mouseClick(plot.plot(), Qt::LeftButton, {}, QPoint(plot.plot()->width() / 4, 30));
    QCOMPARE(spy.count(), 0);
}

QTEST_MAIN(TestParetoPlot)
#include "tst_paretoplot.moc"
