// BudgetFitPanel driven as a user would: the form becomes the request Propose sends
// (percentages and absolute amounts), a proposal enables Accept and Discard and says
// whether the target was met, and the busy state locks the form.
#include "widgets/BudgetFitPanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using topiary::BudgetFitPanel;
using topiary::BudgetMetric;
using topiary::BudgetRequest;

namespace {

void typeInto(QDoubleSpinBox* box, const QString& text)
{
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Tab);
}

} // namespace

class TestBudgetFitPanel : public QObject {
    Q_OBJECT

private slots:
    void proposeSendsTheForm();
    void proposalIsAcceptedOrDiscarded();
};

void TestBudgetFitPanel::proposeSendsTheForm()
{
    BudgetFitPanel panel;
    panel.setOriginal(1'800'000'000, 11'700'000, 46'800'000);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy spy(&panel, &BudgetFitPanel::proposeRequested);

    // 40 % of the original MACs, 2 points of accuracy.
    typeInto(panel.valueBox(), QStringLiteral("40"));
    typeInto(panel.lossBox(), QStringLiteral("2"));
    QTest::mouseClick(panel.proposeButton(), Qt::LeftButton);
    QCOMPARE(spy.count(), 1);
    auto request = spy.takeFirst().at(0).value<BudgetRequest>();
    QCOMPARE(request.metric, BudgetMetric::Macs);
    QVERIFY(request.relative);
    QCOMPARE(request.value, 40.0);
    QCOMPARE(request.maxLoss, 0.02);
    QCOMPARE(request.target(1.8e9).fraction, 0.4);

    // 23.4 MB of weights, absolute: half of the original 46.8 MB.
    panel.metricBox()->setFocus();
    QTest::keyClick(panel.metricBox(), Qt::Key_Down);
    QTest::keyClick(panel.metricBox(), Qt::Key_Down);
    QCOMPARE(panel.metricBox()->currentIndex(), 2);
    panel.modeBox()->setFocus();
    QTest::keyClick(panel.modeBox(), Qt::Key_Down);
    QCOMPARE(panel.modeBox()->currentIndex(), 1);
    typeInto(panel.valueBox(), QStringLiteral("23.4"));
    QTest::mouseClick(panel.proposeButton(), Qt::LeftButton);
    QCOMPARE(spy.count(), 1);
    request = spy.takeFirst().at(0).value<BudgetRequest>();
    QCOMPARE(request.metric, BudgetMetric::Size);
    QVERIFY(!request.relative);
    QCOMPARE(request.value, 23.4e6);
    QCOMPARE(request.target(46.8e6).fraction, 0.5);

    // While the application fits, the form cannot change or propose again.
    panel.setBusy(true);
    QVERIFY(!panel.proposeButton()->isEnabled());
    QVERIFY(!panel.valueBox()->isEnabled());
    QTest::mouseClick(panel.proposeButton(), Qt::LeftButton);
    QCOMPARE(spy.count(), 0);
    panel.setBusy(false);
    QVERIFY(panel.proposeButton()->isEnabled());
}

void TestBudgetFitPanel::proposalIsAcceptedOrDiscarded()
{
    BudgetFitPanel panel;
    panel.setOriginal(1'000'000'000, 10'000'000, 40'000'000);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy accepted(&panel, &BudgetFitPanel::accepted);
    QSignalSpy discarded(&panel, &BudgetFitPanel::discarded);
    QVERIFY(!panel.acceptButton()->isEnabled());
    QVERIFY(!panel.discardButton()->isEnabled());

    typeInto(panel.valueBox(), QStringLiteral("50"));
    QTest::mouseClick(panel.proposeButton(), Qt::LeftButton);
    panel.setBusy(true);
    panel.setProposal({ QStringLiteral("Prunes 14 layers."), 0.48, 0.008, true });
    QVERIFY(panel.hasProposal());
    QVERIFY(panel.acceptButton()->isEnabled());
    const QString text = panel.proposalText();
    QVERIFY2(text.contains(QStringLiteral("Prunes 14 layers.")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("48.0\u00a0% of the original")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("met.")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("0.80 points (allowed 1.0)")), qPrintable(text));

    if (qEnvironmentVariableIsSet("TOPIARY_WIDGET_SNAPSHOTS")) // to look at the panel
        panel.grab().save(qEnvironmentVariable("TOPIARY_WIDGET_SNAPSHOTS") + QStringLiteral("/budgetfitpanel.png"));

    QTest::mouseClick(panel.acceptButton(), Qt::LeftButton);
    QCOMPARE(accepted.count(), 1);
    QVERIFY(!panel.hasProposal());
    QVERIFY(!panel.acceptButton()->isEnabled());

    QTest::mouseClick(panel.proposeButton(), Qt::LeftButton);
    panel.setProposal({ QString(), 0.7, 0.05, false });
    QVERIFY(panel.proposalText().contains(QStringLiteral("not reached")));
    QVERIFY(panel.proposalText().contains(QStringLiteral("more than the 1.0 allowed")));
    QTest::mouseClick(panel.discardButton(), Qt::LeftButton);
    QCOMPARE(discarded.count(), 1);
    QCOMPARE(accepted.count(), 1);
    QVERIFY(!panel.hasProposal());
}

QTEST_MAIN(TestBudgetFitPanel)
#include "tst_budgetfitpanel.moc"
