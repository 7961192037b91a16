// Fit to Budget in the window on the bundled sample, offscreen: with the Recover switch on,
// Propose measures the greedy plan and its adjustments on a worker (the panel shows
// progress and Cancel, plan edits do not wait), the proposal shows the predicted loss and
// the loss measured before and after recovery, and Accept keeps the chosen plan as one
// undo step. Its numbers are checked against the accepted plan evaluated apart: applied
// (and recovered on the same calibration images) and run by an Evaluator on the sweep's
// images. Cancel stops a fit and leaves the plan alone. Small on purpose: 40 images, 32
// calibration images, one adjustment round.
#include "AnalysisPane.h"
#include "Document.h"
#include "MainWindow.h"
#include "SampleWindow.h"
#include "MeasuredFitRunner.h"
#include "SensitivityRunner.h"

#include "widgets/BudgetFitPanel.h"

#include "core/analysis/RecoveredSweep.h"
#include "core/eval/Evaluator.h"
#include "core/model/CostModel.h"
#include "core/export/Apply.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/recover/CalibrationImages.h"
#include "core/recover/Recovery.h"

#include <QCheckBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUndoStack>

#include <algorithm>

using namespace Qt::StringLiterals;
using topiary::MainWindow;
using topiary::test::openSample;

namespace {

constexpr int64_t kImages = 40;
constexpr int64_t kCalibration = 32;

// The sample with its sensitivity measured on kImages images and recovery switched on.
bool prepare(MainWindow& window)
{
    if (!openSample(window) || !window.runSensitivity(kImages))
        return false;
    QSignalSpy done(window.sensitivityRunner(), &topiary::SensitivityRunner::finished);
    if (!done.wait(120000) || !done.first().at(0).toBool())
        return false;
    topiary::RecoverySpec spec;
    spec.batchNorm = spec.bias = spec.leastSquares = true;
    spec.calibrationImages = kCalibration;
    topiary::Document* document = window.document();
    return document->editPlan(document->plan().withRecovery(spec), u"recover"_s);
}

// Top-1 of a model on the first kImages images of the dataset's order.
double top1(const topiary::Document& document, const onnx::ModelProto& proto)
{
    topiary::EvaluationOptions options;
    options.limit = kImages;
    const topiary::Evaluator evaluator(*document.dataset(), document.preprocess(), options);
    auto run = evaluator.run(proto);
    if (!run)
        qFatal("evaluation: %s", run.error().message.c_str());
    return run->metrics.top1().value;
}

} // namespace

class TestFitBudget : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        topiary::test::useTestSettings();
    }

    void measuredFitKeepsItsNumbers()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(prepare(window));
        topiary::Document* document = window.document();
        auto* pane = window.findChild<topiary::AnalysisPane*>();
        auto* panel = window.findChild<topiary::BudgetFitPanel*>();
        QVERIFY(pane && panel);
        pane->setFitRounds(1);
        topiary::MeasuredFitRunner* runner = pane->fitRunner();
        const topiary::Plan before = document->plan();

        topiary::BudgetRequest request;
        request.metric = topiary::BudgetMetric::Macs;
        request.value = 50.0;
        request.maxLoss = 0.02;
        panel->setRequest(request);
        QSignalSpy finished(runner, &topiary::MeasuredFitRunner::finished);
        QSignalSpy progress(runner, &topiary::MeasuredFitRunner::progress);
        panel->proposeButton()->click();
        // The fit runs on a worker: the panel is busy with Cancel, and the plan is untouched.
        QVERIFY(runner->isRunning());
        QVERIFY(!panel->cancelButton()->isHidden() && panel->cancelButton()->isEnabled()); // the dock itself is hidden
        QVERIFY(!panel->proposeButton()->isEnabled());
        QVERIFY(document->plan() == before);
        QVERIFY(finished.wait(180000));
        QVERIFY(!progress.isEmpty());
        QVERIFY(panel->cancelButton()->isHidden());

        const topiary::MeasuredFit* fit = runner->result();
        QVERIFY(fit && fit->recovered);
        const topiary::FitAttempt& best = fit->best();
        QVERIFY(best.unrecoveredLoss.has_value());
        QVERIFY(document->plan() == best.plan); // shown as a preview
        QVERIFY(best.plan.recovery() == before.recovery()); // measured as it will be exported
        QVERIFY(panel->hasProposal());
        const QString text = panel->proposalText();
        qInfo("%s", qPrintable(text));
        if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty()) { // to look at the panel
            panel->resize(560, panel->sizeHint().height());
            panel->grab().save(QString::fromLocal8Bit(dir) + u"/fit-measured.png"_s);
        }
        auto points = [](double loss) { return QString::number(100.0 * loss, 'f', 2); };
        QVERIFY2(text.contains(u"predicted %1 points"_s.arg(points(best.predictedLoss))), qPrintable(text));
        QVERIFY2(text.contains(u"measured %1 points before recovery, %2 after"_s.arg(
                     points(*best.unrecoveredLoss), points(best.measuredLoss))),
            qPrintable(text));
        if (!fit->withinLoss)
            QVERIFY2(text.contains(u"Out of reach at this loss"_s), qPrintable(text));

        // Accept: the chosen plan stays, as one undo step over the plan before the fit.
        const int steps = document->undoStack()->index();
        panel->acceptButton()->click();
        QVERIFY(document->plan() == best.plan);
        QCOMPARE(document->undoStack()->index(), steps);
        document->undoStack()->undo();
        QVERIFY(document->plan() == before);
        document->undoStack()->redo();
        QVERIFY(document->plan() == best.plan);

        // The accepted plan evaluated apart: the original, the plan as compressed, and the
        // plan recovered on the same calibration images.
        const topiary::Model& model = *document->model();
        const double original = top1(*document, model.proto());
        auto plain = topiary::apply(model, best.plan.withRecovery({}));
        QVERIFY(plain.has_value());
        const topiary::RecoverySpec& spec = best.plan.recovery();
        auto images = topiary::loadCalibrationImages(
            model, *document->dataset(), document->preprocess(), spec.calibrationImages, spec.seed);
        QVERIFY(images.has_value());
        QCOMPARE(images->count(), kCalibration);
        auto recovered = topiary::applyRecovered(model, best.plan, *images);
        QVERIFY(recovered.has_value());
        const double compressedTop1 = top1(*document, plain->proto);
        const double recoveredTop1 = top1(*document, recovered->applied.proto);
        QCOMPARE(best.metrics.labelled, kImages);
        QCOMPARE(best.metrics.top1().value, recoveredTop1);
        // Losses are top-1 points below the original, never negative.
        QVERIFY(qAbs(*best.unrecoveredLoss - std::max(0.0, original - compressedTop1)) < 1e-12);
        QVERIFY(qAbs(best.measuredLoss - std::max(0.0, original - recoveredTop1)) < 1e-12);
    }

    // "Plan from the sweep after recovery": offered only with Recover on; the fit measures
    // the sweep again after recovery (its repaired points differ from the plain sweep's and
    // are the ones core recoverSweep gives on the same images), proposes from it, and keeps
    // it, so the next fit on the same sweep does not measure it again.
    void fitFromTheRecoveredSweep()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openSample(window));
        auto* pane = window.findChild<topiary::AnalysisPane*>();
        auto* panel = window.findChild<topiary::BudgetFitPanel*>();
        QVERIFY(pane && panel);
        QVERIFY(!panel->recoveredSweepBox()->isEnabled()); // no recovery yet
        QVERIFY(prepare(window));
        QVERIFY(panel->recoveredSweepBox()->isEnabled());
        pane->setFitRounds(0);
        topiary::MeasuredFitRunner* runner = pane->fitRunner();
        QVERIFY(!runner->recoveredSweep());

        topiary::BudgetRequest request;
        request.metric = topiary::BudgetMetric::Macs;
        request.value = 60.0;
        request.maxLoss = 0.02;
        request.recoveredSweep = true;
        panel->setRequest(request);
        QVERIFY(panel->recoveredSweepBox()->isChecked());
        QSignalSpy finished(runner, &topiary::MeasuredFitRunner::finished);
        QSignalSpy progress(runner, &topiary::MeasuredFitRunner::progress);
        panel->proposeButton()->click();
        QVERIFY(finished.wait(300000));
        auto measuredTheSweep = [&progress] {
            for (const auto& args : progress)
                if (args.at(2).toString().contains(u"sweep after recovery"_s))
                    return true;
            return false;
        };
        QVERIFY(measuredTheSweep());
        const topiary::RecoveredSweep* sweep = runner->recoveredSweep();
        QVERIFY(sweep);
        const topiary::SensitivityResult& plain = window.sensitivityRunner()->result();
        QCOMPARE(sweep->recovered.points.size(), plain.points.size());
        int repaired = 0;
        bool anyDiffers = false;
        for (size_t i = 0; i < plain.points.size(); ++i) {
            if (!sweep->repaired[i])
                continue;
            ++repaired;
            QCOMPARE(sweep->unrecovered[i].top1Correct, plain.points[i].metrics.top1Correct);
            anyDiffers = anyDiffers || sweep->recovered.points[i].metrics.top1Correct != plain.points[i].metrics.top1Correct;
        }
        QVERIFY(repaired > 0);
        QVERIFY(anyDiffers);

        // One layer's points measured apart by core, on the fit's images and calibration.
        topiary::SensitivityResult oneLayer = plain;
        size_t firstRepaired = 0;
        while (!sweep->repaired[firstRepaired])
            ++firstRepaired;
        const std::string layer = plain.points[firstRepaired].layer;
        std::erase_if(oneLayer.points, [&layer](const topiary::SensitivityPoint& p) { return p.layer != layer; });
        topiary::Document* document = window.document();
        const topiary::RecoverySpec& spec = document->plan().recovery();
        auto images = topiary::loadCalibrationImages(
            *document->model(), *document->dataset(), document->preprocess(), spec.calibrationImages, spec.seed);
        QVERIFY(images.has_value());
        topiary::EvaluationOptions options;
        options.limit = kImages;
        const topiary::Evaluator evaluator(*document->dataset(), document->preprocess(), options);
        topiary::RecoveredSweepOptions recovery;
        recovery.recovery = spec;
        recovery.calibration = &*images;
        auto apart = topiary::recoverSweep(
            *document->model(), oneLayer, window.sensitivityRunner()->options(), evaluator, recovery);
        QVERIFY(apart.has_value());
        QVERIFY(apart->recovered.points.size() > 1);
        for (size_t i = 0, j = 0; i < plain.points.size(); ++i) {
            if (plain.points[i].layer != layer)
                continue;
            QCOMPARE(apart->recovered.points[j].value, sweep->recovered.points[i].value);
            QCOMPARE(apart->recovered.points[j++].metrics.top1Correct, sweep->recovered.points[i].metrics.top1Correct);
        }

        // A second fit on the same sweep reuses it.
        panel->discardButton()->click();
        progress.clear();
        panel->proposeButton()->click();
        QVERIFY(finished.wait(300000));
        QVERIFY(!measuredTheSweep());
        QCOMPARE(runner->recoveredSweep(), sweep);
    }

    void cancelLeavesThePlanAlone()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(prepare(window));
        topiary::Document* document = window.document();
        auto* pane = window.findChild<topiary::AnalysisPane*>();
        auto* panel = window.findChild<topiary::BudgetFitPanel*>();
        QVERIFY(pane && panel);
        topiary::MeasuredFitRunner* runner = pane->fitRunner();
        const topiary::Plan before = document->plan();
        QSignalSpy finished(runner, &topiary::MeasuredFitRunner::finished);
        QSignalSpy stopped(runner, &topiary::MeasuredFitRunner::stopped);
        panel->proposeButton()->click();
        QVERIFY(runner->isRunning());
        // A plan edit while it runs returns at once.
        topiary::Plan edited = before;
        edited.setQuant(document->cost()->layers().front().name,
            topiary::QuantSpec { topiary::QuantScheme::Uniform, 6, true, true });
        QVERIFY(document->editPlan(edited, u"6 bits"_s));
        QVERIFY(runner->isRunning());
        panel->cancelButton()->click();
        QCOMPARE(stopped.size(), 1);
        QVERIFY(!runner->isRunning());
        runner->waitForWorker();
        QCoreApplication::processEvents();
        QCOMPARE(finished.size(), 0);
        QVERIFY(!panel->hasProposal());
        QVERIFY(panel->proposeButton()->isEnabled());
        QVERIFY(document->plan() == edited);
    }
};

QTEST_MAIN(TestFitBudget)
#include "tst_fitbudget.moc"
