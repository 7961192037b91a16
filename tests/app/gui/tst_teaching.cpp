// The teaching aids on the real window, offscreen: the Step animation walks a layer's
// ratio up from 0, waiting at each step for the accuracy, as one undo step; presentation
// mode enlarges text and plot lines and gives them back; Preferences switches the
// language of the running window and remembers it.
#include "Language.h"
#include "LiveEvaluation.h"
#include "GraphPane.h"
#include "MainWindow.h"
#include "SampleWindow.h"
#include "PreferencesDialog.h"
#include "RatioStepper.h"

#include "widgets/ColorLegend.h"
#include "widgets/GraphView.h"
#include "widgets/LayerControls.h"
#include "widgets/LayerInspector.h"
#include "widgets/PlotStyle.h"
#include "widgets/WeightHistogramPlot.h"

#include "core/model/CostModel.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>
#include <qcustomplot.h>

#include <cmath>

using namespace Qt::StringLiterals;
using topiary::MainWindow;

namespace {

constexpr int kPw2 = 7; // the sample's second pointwise conv

// Opens the bundled sample (with its test images) in `window` and selects pw2.
bool openSampleAtPw2(MainWindow& window)
{
    window.setShowErrorDialogs(false);
    window.resize(1400, 1000);
    window.show();
    if (!topiary::test::openSample(window))
        return false;
    window.selectLayer(kPw2);
    return window.selectedLayer() == kPw2;
}

} // namespace

class TestTeaching : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void scheduleEndsExactlyAtTheTarget();
    void stepWalksTheRatioWaitingForEachAccuracy();
    void presentationModeEnlargesTextAndLines();
    void preferencesSwitchTheLanguageOfTheRunningWindow();
    void liveSwitchRetranslatesLegendAndCloseButton();
};

void TestTeaching::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"TopiaryTests"_s);
    QCoreApplication::setApplicationName(u"tst_teaching"_s);
    QSettings().clear();
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TestTeaching::scheduleEndsExactlyAtTheTarget()
{
    using topiary::RatioStepper;
    QCOMPARE(RatioStepper::schedule(0.0), (std::vector<double> { 0.0 }));
    const auto half = RatioStepper::schedule(0.5);
    QCOMPARE(half.size(), size_t { 6 });
    for (size_t i = 0; i < half.size(); ++i)
        QVERIFY(std::abs(half[i] - 0.1 * static_cast<double>(i)) < 1e-12);
    QCOMPARE(RatioStepper::schedule(0.35).back(), 0.35);
    QCOMPARE(RatioStepper::schedule(0.35).size(), size_t { 5 }); // 0, .1, .2, .3, .35
    QCOMPARE(RatioStepper::schedule(0.12).size(), size_t { 4 }); // 0, .05, .1, .12
}

void TestTeaching::stepWalksTheRatioWaitingForEachAccuracy()
{
    MainWindow window;
    QVERIFY(openSampleAtPw2(window));
    topiary::LiveEvaluation* evaluation = window.liveEvaluation();
    QTRY_VERIFY_WITH_TIMEOUT(evaluation->isIdle() && evaluation->original(), 30000);

    // The teacher sets 30 % of pw2's filters, then presses Step.
    auto* controls = window.findChild<topiary::LayerInspector*>()->controls();
    auto* granularity = controls->findChild<QComboBox*>(u"granularity"_s);
    granularity->setCurrentIndex(granularity->findData(static_cast<int>(topiary::PruneGranularity::Filter)));
    auto* value = controls->findChild<QDoubleSpinBox*>(u"pruneValue"_s);
    value->setValue(0.3);
    QTRY_VERIFY_WITH_TIMEOUT(evaluation->isIdle(), 30000);
    const int undoBefore = window.document()->undoStack()->count();

    window.ratioStepper()->setDwellMs(0); // the test waits for the evaluation only
    QSignalSpy steps(window.ratioStepper(), &topiary::RatioStepper::step);
    QSignalSpy done(window.ratioStepper(), &topiary::RatioStepper::finished);
    // Each step's plan must have its accuracy measured before the next step is shown.
    std::vector<double> measuredAt;
    connect(evaluation, &topiary::LiveEvaluation::evaluated, this,
        [&](const topiary::Plan& plan, const topiary::EvaluationMetrics&) {
            const auto& name = window.document()->cost()->layers()[kPw2].name;
            measuredAt.push_back(plan.spec(name).prune.value);
        });
    QVERIFY(controls->stepButton()->isEnabled());
    QTest::mouseClick(controls->stepButton(), Qt::LeftButton);
    QVERIFY(controls->isStepping());
    QVERIFY(done.wait(60000));
    QCOMPARE(done.first().at(0).toBool(), true);
    QVERIFY(!controls->isStepping());

    QCOMPARE(steps.size(), 4); // 0, 10, 20, 30 %
    for (int i = 0; i < steps.size(); ++i) {
        QCOMPARE(steps.at(i).at(0).toInt(), kPw2);
        QVERIFY(std::abs(steps.at(i).at(1).value<topiary::PruneSpec>().value - 0.1 * i) < 1e-12);
    }
    // Steps 0, 10 and 20 % were each measured before the next one was shown.
    QTRY_VERIFY_WITH_TIMEOUT(evaluation->isIdle(), 30000);
    QVERIFY(measuredAt.size() >= 3);
    for (int i = 0; i < 3; ++i)
        QVERIFY2(std::find_if(measuredAt.begin(), measuredAt.end(), [i](double v) { return std::abs(v - 0.1 * i) < 1e-9; })
                != measuredAt.end(),
            qPrintable(u"no accuracy at step %1"_s.arg(i)));
    // The animation ends where the teacher set the ratio: the plan is as before and
    // there is nothing to undo (its steps merged into one that came back to the start).
    const auto& name = window.document()->cost()->layers()[kPw2].name;
    QCOMPARE(window.document()->plan().spec(name).prune.value, 0.3);
    QCOMPARE(window.document()->undoStack()->count(), undoBefore);

    // Stopped halfway, the plan stays where the animation was, as one undo step back to 30 %.
    window.ratioStepper()->setDwellMs(200);
    QSignalSpy stopped(window.ratioStepper(), &topiary::RatioStepper::finished);
    QTest::mouseClick(controls->stepButton(), Qt::LeftButton);
    QTRY_VERIFY(window.document()->plan().spec(name).prune.value < 0.3);
    QTest::mouseClick(controls->stepButton(), Qt::LeftButton); // now "Stop"
    QCOMPARE(stopped.size(), 1);
    QCOMPARE(stopped.first().at(0).toBool(), false);
    QVERIFY(window.document()->plan().spec(name).prune.value < 0.3);
    QCOMPARE(window.document()->undoStack()->count(), undoBefore + 1);

    // A second animation after a stopped one is an undo step of its own, not merged into it.
    value->setValue(0.3); // one step
    QSignalSpy again(window.ratioStepper(), &topiary::RatioStepper::finished);
    QTest::mouseClick(controls->stepButton(), Qt::LeftButton);
    QTRY_VERIFY(window.document()->plan().spec(name).prune.value < 0.3);
    QTest::mouseClick(controls->stepButton(), Qt::LeftButton);
    QCOMPARE(again.size(), 1);
    QCOMPARE(window.document()->undoStack()->count(), undoBefore + 3);
    window.document()->undoStack()->undo(); // the second animation
    QCOMPARE(window.document()->plan().spec(name).prune.value, 0.3);
    window.document()->undoStack()->undo(); // the typed 30 %
    window.document()->undoStack()->undo(); // the stopped animation
    QCOMPARE(window.document()->plan().spec(name).prune.value, 0.3);
}

void TestTeaching::presentationModeEnlargesTextAndLines()
{
    MainWindow window;
    QVERIFY(openSampleAtPw2(window));
    auto* inspector = window.findChild<topiary::LayerInspector*>();
    QTRY_COMPARE(inspector->layer(), kPw2);
    QCustomPlot* plot = inspector->histogram()->plot();
    const double tickFont = plot->xAxis->tickLabelFont().pointSizeF();
    const double appFont = QApplication::font().pointSizeF();
    const double axisPen = plot->xAxis->basePen().widthF() > 0 ? plot->xAxis->basePen().widthF() : 1.0;

    auto* history = window.findChild<QDockWidget*>(u"historyDock"_s);
    history->show();
    auto* action = window.findChild<QAction*>(u"presentationAction"_s);
    QVERIFY(action);
    action->trigger();
    QVERIFY(window.isPresentationMode());
    QVERIFY(window.windowState() & Qt::WindowFullScreen);
    QCOMPARE(QApplication::font().pointSizeF(), appFont * 1.3);
    QCOMPARE(topiary::plotstyle::lineScale(), 2.0);
    QTRY_COMPARE(plot->xAxis->tickLabelFont().pointSizeF(), tickFont * 1.3);
    QCOMPARE(plot->xAxis->basePen().widthF(), axisPen * 2.0);
    QVERIFY(!history->isVisible()); // the room sees the graph, totals and inspector

    QTest::keyClick(&window, Qt::Key_Escape); // Esc leaves, as the status bar says
    QVERIFY(!window.isPresentationMode());
    QVERIFY(!(window.windowState() & Qt::WindowFullScreen));
    QCOMPARE(QApplication::font().pointSizeF(), appFont);
    QCOMPARE(topiary::plotstyle::lineScale(), 1.0);
    QTRY_COMPARE(plot->xAxis->tickLabelFont().pointSizeF(), tickFont);
    QCOMPARE(plot->xAxis->basePen().widthF(), axisPen);
    QVERIFY(history->isVisible()); // the docks are back as they were
}

void TestTeaching::preferencesSwitchTheLanguageOfTheRunningWindow()
{
    MainWindow window;
    window.show();
    QMenu* fileMenu = window.menuBar()->actions().value(0)->menu();
    QCOMPARE(fileMenu->title(), u"&File"_s);

    window.showPreferences();
    topiary::PreferencesDialog* preferences = window.preferencesDialog();
    QVERIFY(preferences && preferences->isVisible());
    QComboBox* language = preferences->languageBox();
    const int chinese = language->findData(u"zh_CN"_s);
    QVERIFY2(chinese > 0, "the zh_CN translation is built in");
    QCOMPARE(language->itemText(chinese), u"简体中文"_s);
    language->setCurrentIndex(chinese);
    QTRY_VERIFY(fileMenu->title() != u"&File"_s); // retranslated live, no restart
    QVERIFY(fileMenu->title().contains(u"文件"_s));
    QCOMPARE(topiary::savedLanguage(), u"zh_CN"_s);
    QVERIFY(preferences->windowTitle() != u"Preferences"_s);

    language->setCurrentIndex(language->findData(u"en"_s));
    QTRY_COMPARE(fileMenu->title(), u"&File"_s);
    QCOMPARE(topiary::savedLanguage(), u"en"_s);
    QCOMPARE(topiary::startupLanguage(), qEnvironmentVariableIsSet("TOPIARY_LANGUAGE") ? qEnvironmentVariable("TOPIARY_LANGUAGE") : u"en"_s);

    // The theme box drives View > Theme.
    preferences->themeBox()->setCurrentIndex(2);
    QCOMPARE(QSettings().value(u"appearance/theme"_s).toString(), topiary::themeName(topiary::Theme::Dark));
    preferences->themeBox()->setCurrentIndex(0);
}

// After a live switch to Chinese the graph's colour legend, the Preferences dialog's
// Close button and Edit > Undo/Redo are in Chinese too (they stayed English: the legend kept the title it was
// given, and Qt's standard button text comes from qtbase translations, not installed here).
void TestTeaching::liveSwitchRetranslatesLegendAndCloseButton()
{
    MainWindow window;
    window.show();
    QVERIFY(openSampleAtPw2(window));
    const topiary::ColorLegend* legend = window.graphPane()->view()->legend();
    QTRY_COMPARE(legend->metricName(), u"Sparsity"_s);

    window.showPreferences();
    topiary::PreferencesDialog* preferences = window.preferencesDialog();
    auto* close = preferences->findChild<QPushButton*>(u"closeButton"_s);
    QVERIFY(close);
    QCOMPARE(close->text(), u"Close"_s);
    // Edit > Undo and Redo, found by their English text before the switch.
    QAction* undo = nullptr;
    QAction* redo = nullptr;
    for (QAction* a : window.findChildren<QAction*>()) {
        if (a->text().startsWith(u"&Undo"_s))
            undo = a;
        if (a->text().startsWith(u"&Redo"_s))
            redo = a;
    }
    QVERIFY(undo && redo);
    QComboBox* language = preferences->languageBox();
    language->setCurrentIndex(language->findData(u"zh_CN"_s));
    QTRY_COMPARE(legend->metricName(), u"稀疏度"_s);
    QVERIFY2(close->text().contains(u"关闭"_s), qPrintable(close->text()));
    QVERIFY2(undo->text().contains(u"撤销"_s), qPrintable(undo->text()));
    QVERIFY2(redo->text().contains(u"重做"_s), qPrintable(redo->text()));

    language->setCurrentIndex(language->findData(u"en"_s));
    QTRY_COMPARE(legend->metricName(), u"Sparsity"_s);
    QCOMPARE(close->text(), u"Close"_s);
}

QTEST_MAIN(TestTeaching)
#include "tst_teaching.moc"
