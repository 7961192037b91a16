// The window's 8-bit activations on the bundled sample, offscreen: the inspector's
// activation and weight-range controls and the layer table's Inputs column are undoable
// plan edits; Edit > 8-bit Activations but First and Last Layer quantizes the middle
// layers; the missing ranges are calibrated on a worker (progress, one undo step for the
// edit and none for the ranges), after which the live estimate runs and the selected
// layer's activation histogram shows the calibrated range; Cancel stops a calibration and
// nothing it still computes arrives.
#include "ActivationCalibrationRunner.h"
#include "Document.h"
#include "LiveEvaluation.h"
#include "MainWindow.h"
#include "SampleWindow.h"
#include "RecoveryRunner.h"

#include "widgets/ActivationHistogramPlot.h"
#include "widgets/LayerControls.h"
#include "widgets/LayerInspector.h"
#include "widgets/LayerTableModel.h"

#include "core/model/CostModel.h"
#include "core/plan/Plan.h"

#include <QAction>
#include <qcustomplot.h>
#include <QComboBox>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

using namespace Qt::StringLiterals;
using topiary::MainWindow;
using topiary::test::openSample;

namespace {

// The plan with `images` calibration images (the recovery section carries the count).
topiary::Plan withCalibrationImages(const topiary::Plan& plan, int64_t images, topiary::CalibrationMethod method)
{
    topiary::RecoverySpec spec = plan.recovery();
    spec.calibrationImages = images;
    topiary::ActivationRanges ranges;
    ranges.method = method;
    return plan.withRecovery(spec).withActivationRanges(ranges);
}

} // namespace

class TestActivations : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        topiary::test::useTestSettings();
    }

    void controlsAndTableEditThePlanAndUndoRestores()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openSample(window));
        topiary::Document* document = window.document();
        QVERIFY(document->cost()->layers().size() >= 3);
        document->selectLayer(1);
        const std::string name = document->cost()->layers()[1].name;
        auto* inspector = window.findChild<topiary::LayerInspector*>();
        QVERIFY(inspector);
        QTRY_COMPARE_WITH_TIMEOUT(inspector->layer(), 1, 20000);
        auto* act = inspector->controls()->findChild<QComboBox*>(u"activationBits"_s);
        auto* scheme = inspector->controls()->findChild<QComboBox*>(u"quantScheme"_s);
        auto* range = inspector->controls()->findChild<QComboBox*>(u"quantRange"_s);
        QVERIFY(act && scheme && range);
        QVERIFY(act->isEnabled());
        QVERIFY(!range->isEnabled()); // float weights have no grid

        const int steps = document->undoStack()->count();
        auto* histograms = window.findChild<QTabWidget*>(u"inspectorHistograms"_s);
        QVERIFY(histograms);
        QVERIFY(!histograms->isTabVisible(1)); // float inputs: the weights' histogram alone
        act->setCurrentIndex(2); // int8 symmetric
        QCOMPARE(document->plan().spec(name).act, (topiary::ActivationSpec { 8, true }));
        // The inputs' histogram comes to the front beside the weights' (a tab: stacked, it
        // pushed the heatmap out of a 1366x768 window).
        QVERIFY(histograms->isTabVisible(1));
        QCOMPARE(histograms->currentIndex(), 1);
        scheme->setCurrentIndex(scheme->findData(static_cast<int>(topiary::QuantScheme::Uniform)));
        QVERIFY(range->isEnabled());
        range->setCurrentIndex(range->findData(static_cast<int>(topiary::QuantRange::Mse)));
        QCOMPARE(document->plan().spec(name).quant.range, topiary::QuantRange::Mse);
        QCOMPARE(document->plan().spec(name).quant.scheme, topiary::QuantScheme::Uniform);
        QCOMPARE(document->plan().spec(name).act, (topiary::ActivationSpec { 8, true })); // kept by the weight edit
        QCOMPARE(document->undoStack()->count(), steps + 3);

        // The table shows the inputs' bits, and edits them too.
        auto* table = window.findChild<topiary::LayerTableModel*>();
        QVERIFY(table);
        const auto cell = table->index(1, topiary::LayerTableModel::Activations);
        QCOMPARE(table->data(cell).toString(), u"8 (int8)"_s);
        QCOMPARE(table->data(table->index(0, topiary::LayerTableModel::Activations)).toString(), u"float"_s);
        QVERIFY(table->setData(cell, u"uint8"_s));
        QCOMPARE(document->plan().spec(name).act, (topiary::ActivationSpec { 8, false }));
        QCOMPARE(table->data(cell).toString(), u"8 (uint8)"_s);
        QCOMPARE(act->currentIndex(), 1); // the controls follow the plan

        // Undo walks back through each edit.
        document->undoStack()->undo();
        QCOMPARE(document->plan().spec(name).act, (topiary::ActivationSpec { 8, true }));
        document->undoStack()->undo();
        QCOMPARE(document->plan().spec(name).quant.range, topiary::QuantRange::MinMax);
        QCOMPARE(range->currentIndex(), range->findData(static_cast<int>(topiary::QuantRange::MinMax)));
        document->undoStack()->undo();
        document->undoStack()->undo();
        QVERIFY(!document->plan().spec(name).act.quantized());
        QCOMPARE(act->currentIndex(), 0);
        QCOMPARE(table->data(cell).toString(), u"float"_s);
        QTRY_VERIFY_WITH_TIMEOUT(!histograms->isTabVisible(1), 20000);
        QCOMPARE(histograms->currentIndex(), 0);
    }

    void globalEditCalibratesOnTheWorkerThenEvaluates()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(topiary::test::showSampleAt1366x768(window));
        topiary::Document* document = window.document();
        auto* runner = window.findChild<topiary::ActivationCalibrationRunner*>();
        QVERIFY(runner);
        runner->setDebounceMs(0);
        topiary::LiveEvaluation* live = window.liveEvaluation();
        QTRY_VERIFY_WITH_TIMEOUT(live->original() && live->original()->finished(), 60000);
        QVERIFY(document->editPlan(withCalibrationImages(document->plan(), 64, topiary::CalibrationMethod::Mse), u"64"_s));
        const int steps = document->undoStack()->count();

        auto* action = window.findChild<QAction*>(u"activationBitsAction"_s);
        QVERIFY(action && action->isEnabled());
        QSignalSpy progress(runner, &topiary::ActivationCalibrationRunner::progress);
        QSignalSpy calibrated(runner, &topiary::ActivationCalibrationRunner::calibrated);
        action->trigger();
        const auto& layers = document->cost()->layers();
        QVERIFY(!document->plan().spec(layers.front().name).act.quantized());
        QVERIFY(!document->plan().spec(layers.back().name).act.quantized());
        for (size_t i = 1; i + 1 < layers.size(); ++i)
            QCOMPARE(document->plan().spec(layers[i].name).act, (topiary::ActivationSpec { 8, false }));
        QVERIFY(topiary::ActivationCalibrationRunner::needsCalibration(*document->model(), document->plan()));
        QVERIFY(live->isIdle()); // nothing runs without ranges
        QVERIFY(runner->isRunning());

        QVERIFY(calibrated.wait(120000));
        QVERIFY(!progress.isEmpty());
        QVERIFY(progress.last().at(1).toLongLong() == 64); // the last batch of pass 2
        const topiary::ActivationRanges ranges = document->plan().activationRanges();
        QCOMPARE(ranges.images, int64_t { 64 });
        QCOMPARE(ranges.method, topiary::CalibrationMethod::Mse);
        QVERIFY(!ranges.empty());
        QVERIFY(!topiary::ActivationCalibrationRunner::needsCalibration(*document->model(), document->plan()));
        QCOMPARE(document->undoStack()->count(), steps + 1); // the edit; the ranges joined it
        auto* controls = window.findChild<topiary::LayerControls*>();
        QVERIFY(controls->calibrationStatus().contains(u"calibrated on 64 images"_s));

        // The live estimate now runs the plan with its simulated 8-bit activations.
        QTRY_VERIFY_WITH_TIMEOUT(live->currentDone() && live->current(), 60000);
        QVERIFY(live->current()->finished());

        // The selected layer's input values, with the calibrated range drawn on them.
        document->selectLayer(1);
        // It is a tab beside the weight histogram; the user clicks it.
        auto* plot = window.findChild<topiary::ActivationHistogramPlot*>();
        QVERIFY(plot);
        auto* histograms = window.findChild<QTabWidget*>(u"inspectorHistograms"_s);
        QVERIFY(histograms);
        QTRY_VERIFY_WITH_TIMEOUT(histograms->isTabVisible(1) && histograms->tabBar()->isVisible(), 20000);
        QCOMPARE(histograms->tabText(1), u"Input activations"_s);
        QTest::mouseClick(histograms->tabBar(), Qt::LeftButton, {}, histograms->tabBar()->tabRect(1).center());
        QTRY_VERIFY_WITH_TIMEOUT(plot->isVisible(), 20000);
        QVERIFY(plot->drawnBinCount() > 0);
        const auto drawn = plot->drawnRange();
        QVERIFY(drawn);
        const std::string tensor
            = topiary::ActivationCalibrationRunner::inputRangeTensor(*document->model(), layers[1], document->plan());
        QCOMPARE(drawn->first, double(ranges.tensors.at(tensor).min));
        QCOMPARE(drawn->second, double(ranges.tensors.at(tensor).max));
        QVERIFY(plot->captionText().contains(u"uint8"_s));
        // With the activation histogram shown, the window still fits the screen.
        QCoreApplication::processEvents();
        const QSize least = window.minimumSizeHint().expandedTo(window.minimumSize());
        QVERIFY2(least.width() <= 1366 && least.height() <= 768,
            qPrintable(u"minimum %1x%2"_s.arg(least.width()).arg(least.height())));
        QVERIFY2(window.height() <= 768, qPrintable(u"height %1"_s.arg(window.height())));
        QVERIFY(plot->plot()->toolTip().contains(QString::fromStdString(tensor)));
        if (const QByteArray dir = qgetenv("TOPIARY_SCREENSHOT_DIR"); !dir.isEmpty()) {
            window.grab().save(QString::fromLocal8Bit(dir) + u"/window-int8-activations-1366x768.png"_s);
            controls->grab().save(QString::fromLocal8Bit(dir) + u"/inspector-controls-int8.png"_s);
        }

        // A weight edit calibrates again, for the weights as they are now (layer 1 at 4
        // bits changes what layer 2 reads); the ranges join that edit's step.
        const topiary::ActivationRanges first = ranges;
        calibrated.clear();
        topiary::Plan fourBits = document->plan();
        fourBits.setQuant(layers[1].name, topiary::QuantSpec { topiary::QuantScheme::Uniform, 4, true, true });
        QVERIFY(document->editPlan(fourBits, u"4 bits"_s));
        QVERIFY(runner->isRunning());
        QVERIFY(calibrated.wait(120000));
        QCOMPARE(document->undoStack()->count(), steps + 2);
        QVERIFY(!(document->plan().activationRanges() == first));
        QCOMPARE(document->plan().activationRanges().tensors.size(), first.tensors.size());

        // Undo takes the edits back, ranges and all; redo brings a calibrated plan.
        document->undoStack()->undo();
        document->undoStack()->undo();
        QVERIFY(!topiary::quantizesActivations(document->plan()));
        QVERIFY(!plot->isVisible());
        QVERIFY(!runner->isRunning());
        document->undoStack()->redo();
        QVERIFY(!document->plan().activationRanges().empty());
        QVERIFY(!topiary::ActivationCalibrationRunner::needsCalibration(*document->model(), document->plan()));
    }

    // With Recover on, recovery waits for the ranges instead of failing without them, then
    // repairs and evaluates the calibrated plan.
    void recoveryWaitsForTheRanges()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openSample(window));
        topiary::Document* document = window.document();
        auto* runner = window.findChild<topiary::ActivationCalibrationRunner*>();
        auto* recovery = window.findChild<topiary::RecoveryRunner*>();
        QVERIFY(runner && recovery);
        runner->setDebounceMs(0);
        recovery->setDebounceMs(0);
        topiary::Plan plan = withCalibrationImages(document->plan(), 32, topiary::CalibrationMethod::MinMax);
        topiary::RecoverySpec spec = plan.recovery();
        spec.bias = true;
        const auto& layers = document->cost()->layers();
        plan.setQuant(layers[1].name, topiary::QuantSpec { topiary::QuantScheme::Uniform, 4, true, true });
        plan = topiary::quantizeAllActivations(plan.withRecovery(spec), layers, { 8, false }, true);
        QSignalSpy failed(recovery, &topiary::RecoveryRunner::failed);
        QSignalSpy recovered(recovery, &topiary::RecoveryRunner::finished);
        QSignalSpy calibrated(runner, &topiary::ActivationCalibrationRunner::calibrated);
        QVERIFY(document->editPlan(plan, u"int8 and recovery"_s));
        QVERIFY(!recovery->isRunning());
        QVERIFY(calibrated.wait(60000));
        const bool done = recovered.wait(120000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().at(0).toString()));
        QVERIFY(done);
        QVERIFY(recovered.first().at(0).value<topiary::Plan>() == document->plan());
    }

    void calibrationCancels()
    {
        MainWindow window;
        window.setShowErrorDialogs(false);
        QVERIFY(openSample(window));
        topiary::Document* document = window.document();
        auto* runner = window.findChild<topiary::ActivationCalibrationRunner*>();
        auto* controls = window.findChild<topiary::LayerControls*>();
        QVERIFY(runner && controls);
        runner->setDebounceMs(0);
        QVERIFY(document->editPlan(withCalibrationImages(document->plan(), 256, topiary::CalibrationMethod::Entropy), u"256"_s));
        QSignalSpy progress(runner, &topiary::ActivationCalibrationRunner::progress);
        QSignalSpy calibrated(runner, &topiary::ActivationCalibrationRunner::calibrated);
        QSignalSpy stopped(runner, &topiary::ActivationCalibrationRunner::stopped);
        window.findChild<QAction*>(u"activationBitsAction"_s)->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty(), 20000);
        QVERIFY(runner->isRunning());
        auto* cancel = controls->cancelCalibrationButton();
        QVERIFY(cancel->isVisibleTo(controls));
        cancel->click();
        QCOMPARE(stopped.size(), 1);
        QVERIFY(!runner->isRunning());
        runner->waitForWorker();
        QCoreApplication::processEvents();
        QCOMPARE(calibrated.size(), 0);
        QVERIFY(document->plan().activationRanges().empty());
        QVERIFY(controls->calibrationStatus().contains(u"cancelled"_s));
        QVERIFY(!cancel->isVisibleTo(controls));
    }
};

QTEST_MAIN(TestActivations)
#include "tst_activations.moc"
