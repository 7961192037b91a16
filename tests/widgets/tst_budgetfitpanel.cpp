// BudgetFitPanel driven as a user would: the form becomes the request Propose sends
// (percentages and absolute amounts), a proposal enables Accept and Discard and says
// whether the target was met, a measured proposal gives the predicted and measured loss
// (before and after recovery) and says when the target is out of reach at that loss, and
// the busy state locks the form and shows progress with Cancel.
#include "widgets/BudgetFitPanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using topiary::BudgetFitPanel;
using topiary::BudgetMetric;
using topiary::BudgetProposal;
using topiary::BudgetRequest;

namespace {

void typeInto(QDoubleSpinBox* box, const QString& text)
{
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Tab);
}

BudgetProposal proposal(const QString& summary, double achieved, double predictedLoss, bool met)
{
    BudgetProposal p;
    p.summary = summary;
    p.achieved = achieved;
    p.predictedLoss = predictedLoss;
    p.met = met;
    return p;
}

} // namespace

class TestBudgetFitPanel : public QObject {
    Q_OBJECT

private slots:
    void proposeSendsTheForm();
    void proposalIsAcceptedOrDiscarded();
    void measuredProposalSaysWhatWasMeasured();
    void busyShowsProgressAndCancel();
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
    panel.setProposal(proposal(QStringLiteral("Prunes 14 layers."), 0.48, 0.008, true));
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
    panel.setProposal(proposal(QString(), 0.7, 0.05, false));
    QVERIFY(panel.proposalText().contains(QStringLiteral("not reached")));
    QVERIFY(panel.proposalText().contains(QStringLiteral("more than the 1.0 allowed")));
    QTest::mouseClick(panel.discardButton(), Qt::LeftButton);
    QCOMPARE(discarded.count(), 1);
    QCOMPARE(accepted.count(), 1);
    QVERIFY(!panel.hasProposal());
}

void TestBudgetFitPanel::measuredProposalSaysWhatWasMeasured()
{
    BudgetFitPanel panel;
    panel.setOriginal(1'000'000'000, 10'000'000, 40'000'000);
    typeInto(panel.lossBox(), QStringLiteral("2"));
    QTest::mouseClick(panel.proposeButton(), Qt::LeftButton);

    // Measured after recovery, met within the loss, after three plans.
    BudgetProposal p = proposal(QString(), 0.5, 0.011, true);
    p.measuredLoss = 0.015;
    p.unrecoveredLoss = 0.08;
    p.plansTried = 3;
    panel.setProposal(p);
    QString text = panel.proposalText();
    QVERIFY2(text.contains(QStringLiteral("predicted 1.10 points, measured 8.00 points before recovery, 1.50 after "
                                          "(allowed 2.0)")),
        qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Found after measuring 3 plans.")));
    QVERIFY(!text.contains(QStringLiteral("out of reach")));

    // Without recovery: one measured number.
    p.unrecoveredLoss.reset();
    panel.setProposal(p);
    QVERIFY2(panel.proposalText().contains(QStringLiteral("measured 1.50 points (allowed 2.0)")), qPrintable(panel.proposalText()));

    // Within the loss but short of the target: out of reach at this loss, the most compressed kept.
    p.met = false;
    p.achieved = 0.62;
    panel.setProposal(p);
    text = panel.proposalText();
    QVERIFY(text.contains(QStringLiteral("target 50.0\u00a0%: not reached.")));
    QVERIFY2(text.contains(QStringLiteral("The target is out of reach at this loss: this is the most compressed of the 3 "
                                          "plans measured that kept within 2.0 points.")),
        qPrintable(text));

    // No plan kept the loss.
    p.measuredLoss = 0.04;
    p.withinLoss = false;
    panel.setProposal(p);
    QVERIFY(panel.proposalText().contains(QStringLiteral("Out of reach at this loss: none of the 3 plans measured kept "
                                                         "within 2.0 points; this is the one that lost least.")));
    QVERIFY(panel.acceptButton()->isEnabled());
}

void TestBudgetFitPanel::busyShowsProgressAndCancel()
{
    BudgetFitPanel panel;
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy cancel(&panel, &BudgetFitPanel::cancelRequested);
    QVERIFY(!panel.cancelButton()->isVisible());
    panel.setBusy(true);
    QVERIFY(panel.cancelButton()->isVisible() && panel.cancelButton()->isEnabled());
    QVERIFY(panel.progressBar()->isVisible());
    panel.setProgress(2, 7, QStringLiteral("measuring adjusted plans"));
    QCOMPARE(panel.progressBar()->value(), 2);
    QCOMPARE(panel.progressBar()->maximum(), 7);
    QVERIFY2(panel.statusText().contains(QStringLiteral("2 of at most 7 plans measured")), qPrintable(panel.statusText()));
    QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
    QCOMPARE(cancel.count(), 1);
    panel.setBusy(false);
    QVERIFY(!panel.cancelButton()->isVisible());
    QVERIFY(!panel.progressBar()->isVisible());
    QVERIFY(panel.proposeButton()->isEnabled());
}

QTEST_MAIN(TestBudgetFitPanel)
#include "tst_budgetfitpanel.moc"
