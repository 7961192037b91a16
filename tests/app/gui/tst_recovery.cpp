// The window's Recover switch and its worker, on the bundled sample offscreen: the switch
// is an undoable plan edit; the worker repairs and evaluates the compressed model without
// blocking plan edits, reports progress, raises the 4-bit model's top-1, marks the
// recovered plan on the Pareto set and says what it changed on the selected layer; Cancel
// stops it and nothing it still computes arrives. At 1366x768 the section is in view.
#include "Document.h"
#include "LiveEvaluation.h"
#include "MainWindow.h"
#include "SampleWindow.h"
#include "RecoveryRunner.h"

#include "widgets/ExplainPanel.h"
#include "widgets/RecoveryControls.h"
#include "widgets/RecoveryNote.h"

#include "core/model/CostModel.h"
#include "core/plan/Plan.h"

#include <QCheckBox>
#include <QDockWidget>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using topiary::MainWindow;
using topiary::test::openSample;

class TestRecovery : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        topiary::test::useTestSettings();
    }

    void switchIsAnUndoablePlanEdit()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openSample(window));
        auto* controls = window.findChild<topiary::RecoveryControls*>();
        QVERIFY(controls);
        auto* on = controls->findChild<QCheckBox*>(u"recoverSwitch"_s);
        auto* lsq = controls->findChild<QCheckBox*>(u"recoverLeastSquares"_s);
        QVERIFY(on && lsq);
        QVERIFY(!on->isChecked());
        QVERIFY(!lsq->isEnabled());

        on->click(); // on with no method chosen: all three
        const auto& spec = window.document()->plan().recovery();
        QVERIFY(spec.batchNorm && spec.bias && spec.leastSquares);
        QVERIFY(lsq->isEnabled());
        lsq->click();
        QVERIFY(!window.document()->plan().recovery().leastSquares);
        QVERIFY(window.document()->plan().recovery().bias);

        window.document()->undoStack()->undo();
        QVERIFY(window.document()->plan().recovery().leastSquares);
        window.document()->undoStack()->undo();
        QVERIFY(!window.document()->plan().recovery().any());
        QVERIFY(!on->isChecked()); // the switch follows the plan
    }

    // At 1366x768, as the window first opens, the Recover switch and the recovered accuracy
    // are in view in the Totals dock without scrolling; Explain mode says what it changed.
    void recoverSectionIsInViewAt1366x768()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(topiary::test::showSampleAt1366x768(window));
        topiary::Document* document = window.document();
        auto* runner = window.findChild<topiary::RecoveryRunner*>();
        auto* controls = window.findChild<topiary::RecoveryControls*>();
        QVERIFY(runner && controls);
        runner->setDebounceMs(0);
        topiary::RecoverySpec spec;
        spec.batchNorm = spec.bias = spec.leastSquares = true;
        spec.calibrationImages = 32;
        topiary::Plan plan = document->plan();
        plan.setQuant(document->cost()->layers().front().name,
            topiary::QuantSpec { topiary::QuantScheme::Uniform, 4, true, true });
        QSignalSpy finished(runner, &topiary::RecoveryRunner::finished);
        QVERIFY(document->editPlan(plan.withRecovery(spec), u"recover"_s));
        QVERIFY(finished.wait(120000));
        QCoreApplication::processEvents();
        auto inView = [](QWidget* w) {
            return w->isVisible() && w->visibleRegion().boundingRect().size() == w->size();
        };
        auto* on = controls->findChild<QCheckBox*>(u"recoverSwitch"_s);
        auto* recovered = controls->findChild<QLabel*>(u"recoveredAccuracyValue"_s);
        QVERIFY(on && recovered);
        if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty())
            window.grab().save(QString::fromLocal8Bit(dir) + u"/window-recover-1366x768.png"_s);
        QVERIFY2(inView(on), qPrintable(u"switch shown %1 of %2 px"_s.arg(on->visibleRegion().boundingRect().height()).arg(on->height())));
        QVERIFY2(inView(recovered), qPrintable(u"recovered accuracy shown %1 of %2 px"_s.arg(recovered->visibleRegion().boundingRect().height()).arg(recovered->height())));

        // Explain mode says what recovery changed on the selected layer.
        auto* explainDock = window.findChild<QDockWidget*>(u"explainDock"_s);
        auto* explain = window.findChild<topiary::ExplainPanel*>();
        QVERIFY(explainDock && explain);
        explainDock->show();
        explainDock->raise();
        document->selectLayer(0);
        QTRY_VERIFY_WITH_TIMEOUT(explain->toPlainText().contains(u"What recovery changed"_s), 20000);
        QVERIFY(explain->toPlainText().contains(u"calibration images"_s));
    }

    void workerRecoversWithoutBlockingAndCancels()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openSample(window));
        topiary::Document* document = window.document();
        auto* runner = window.findChild<topiary::RecoveryRunner*>();
        auto* controls = window.findChild<topiary::RecoveryControls*>();
        QVERIFY(runner && controls);
        runner->setDebounceMs(0);
        topiary::LiveEvaluation* live = window.liveEvaluation();
        QTRY_VERIFY_WITH_TIMEOUT(live->original() && live->original()->finished(), 60000);

        // 5-bit per-channel weights everywhere, recovered on 200 calibration images (what
        // tests/app/cli_recover.sh checks at 4 bits on the command line).
        auto quantized = [&](int bits) {
            topiary::Plan plan = document->plan();
            for (const auto& layer : document->cost()->layers())
                plan.setQuant(layer.name, topiary::QuantSpec { topiary::QuantScheme::Uniform, bits, true, true });
            return plan;
        };
        topiary::RecoverySpec spec;
        spec.batchNorm = spec.bias = spec.leastSquares = true;
        spec.calibrationImages = 200;
        QSignalSpy progress(runner, &topiary::RecoveryRunner::progress);
        QSignalSpy finished(runner, &topiary::RecoveryRunner::finished);
        QVERIFY(document->editPlan(quantized(5).withRecovery(spec), u"recover"_s));
        QTRY_VERIFY_WITH_TIMEOUT(runner->isRunning() && !progress.isEmpty(), 20000);

        // A plan edit while the worker runs returns at once; the older run becomes stale.
        QVERIFY(document->editPlan(quantized(4), u"4 bits"_s));
        QVERIFY(finished.wait(180000));
        QCOMPARE(finished.size(), 1);
        QVERIFY(finished.first().at(0).value<topiary::Plan>() == document->plan()); // the newest plan's
        QTRY_VERIFY_WITH_TIMEOUT(live->currentDone(), 60000);
        const auto* recovered = runner->recovered();
        QVERIFY(recovered && recovered->finished());
        // 4 bits everywhere: recovery gives back top-1 (on the command line: 91.6 % -> 92.3 %).
        QVERIFY2(recovered->top1Correct > live->current()->top1Correct,
            qPrintable(u"%1 vs %2"_s.arg(recovered->top1Correct).arg(live->current()->top1Correct)));
        QVERIFY2(controls->recoveredText().contains(u"%"_s), qPrintable(controls->recoveredText()));
        // Pareto: the recovered plan is its own point, marked, beside the compressed one.
        bool marked = false, plain = false;
        for (const auto& p : document->paretoSet().points()) {
            marked = marked || p.recovered;
            plain = plain || (!p.recovered && p.label != "original");
        }
        QVERIFY(marked && plain);
        // The inspector says what recovery changed on the selected layer.
        document->selectLayer(1);
        auto* note = window.findChild<topiary::RecoveryNote*>();
        QVERIFY(note);
        QTRY_VERIFY(note->isVisibleTo(note->parentWidget()) && note->text().contains(u"Recovery of"_s));

        // Cancel: a new plan's run stops, nothing arrives, the controls say so.
        finished.clear();
        QSignalSpy stopped(runner, &topiary::RecoveryRunner::stopped);
        QVERIFY(document->editPlan(quantized(6), u"6 bits"_s));
        QTRY_VERIFY_WITH_TIMEOUT(runner->isRunning() && !controls->statusText().isEmpty(), 20000);
        auto* cancel = controls->findChild<QPushButton*>(u"recoverCancel"_s);
        QVERIFY(cancel);
        cancel->click();
        QCOMPARE(stopped.size(), 1);
        QVERIFY(!runner->isRunning());
        runner->waitForWorker();
        QCoreApplication::processEvents();
        QCOMPARE(finished.size(), 0);
        QVERIFY(controls->statusText().contains(u"cancelled"_s));
    }
};

QTEST_MAIN(TestRecovery)
#include "tst_recovery.moc"
