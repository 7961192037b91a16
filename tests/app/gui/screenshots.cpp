// topiary-screenshots: drives the real MainWindow through the workflows of docs/guide.md
// and saves the PNGs the guide and the README show. Not a test (it checks nothing a user
// did not already see); run it through tools/make-screenshots.sh, which provides a display.
//
//   topiary-screenshots OUTDIR [DENSENET.onnx]
//
// Every step waits for the window's own signals of completion (load, layout, evaluation,
// sensitivity run) with a time limit, so the pictures show finished numbers, never a
// half-drawn state. Exits non-zero, saying which step, when one does not finish.
#include "CriteriaComparisonRunner.h"
#include "GraphPane.h"
#include "LiveEvaluation.h"
#include "MainWindow.h"
#include "PreferencesDialog.h"
#include "SensitivityRunner.h"

#include "widgets/BudgetFitPanel.h"
#include "widgets/CriteriaComparisonView.h"
#include "widgets/GraphView.h"
#include "widgets/LayerInspector.h"

#include "core/model/CostModel.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QThread>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

using namespace Qt::StringLiterals;
using namespace topiary;

namespace {

constexpr QSize windowSize(1400, 900);

[[noreturn]] void fail(const QString& what)
{
    std::fprintf(stderr, "topiary-screenshots: %s\n", qPrintable(what));
    std::exit(1);
}

// Runs the event loop until done() holds; fails with `what` after timeoutMs.
void waitUntil(const std::function<bool()>& done, int timeoutMs, const QString& what)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            fail(u"timed out waiting for %1"_s.arg(what));
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
}

// Lets queued repaints, debounced refreshes and off-thread inspections land.
void settle(int ms = 400)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
}

void save(QWidget* widget, const QString& dir, const QString& name)
{
    settle();
    const QString path = QDir(dir).filePath(name);
    if (!widget->grab().save(path, "PNG"))
        fail(u"could not write %1"_s.arg(path));
    std::printf("wrote %s\n", qPrintable(path));
}

template<typename T> T* child(const MainWindow& window, const QString& name)
{
    auto* found = window.findChild<T*>(name);
    if (!found)
        fail(u"the window has no %1"_s.arg(name));
    return found;
}

void load(MainWindow& window, const std::function<void()>& start, const QString& what)
{
    bool done = false;
    bool ok = false;
    const auto connection = QObject::connect(&window, &MainWindow::loadFinished, &window, [&](bool result) {
        done = true;
        ok = result;
    });
    start();
    waitUntil([&] { return done; }, 60000, u"loading %1"_s.arg(what));
    QObject::disconnect(connection);
    if (!ok)
        fail(u"could not load %1"_s.arg(what));
    waitUntil([&] { return window.graphPane()->hasLayout(); }, 120000, u"the graph layout of %1"_s.arg(what));
}

int layerIndex(const MainWindow& window, const std::string& name)
{
    const auto& layers = window.document()->cost()->layers();
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].name == name)
            return static_cast<int>(i);
    fail(u"the model has no layer %1"_s.arg(QString::fromStdString(name)));
}

// Edits the plan as the table or inspector would, then waits for its accuracy estimate
// (and so its Pareto point) to be complete.
void applyPlan(MainWindow& window, const Plan& plan, const QString& label)
{
    window.document()->editPlan(plan, label);
    LiveEvaluation* evaluation = window.liveEvaluation();
    waitUntil([&] { return evaluation->isIdle() && (plan.empty() || evaluation->currentDone()); }, 120000,
        u"the accuracy estimate of \"%1\""_s.arg(label));
}

PruneSpec filterPrune(double ratio)
{
    return { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, ratio };
}

QuantSpec uniformBits(int bits)
{
    QuantSpec spec;
    spec.scheme = QuantScheme::Uniform;
    spec.bits = bits;
    spec.perChannel = true;
    return spec;
}

// Zooms the graph until its boxes show their names (they are plain colour when zoomed
// far out) and centres on a layer.
void zoomToReadable(GraphView* view, const QString& layer, double scale)
{
    view->fitToView();
    for (int i = 0; i < 40 && view->transform().m11() < scale; ++i)
        view->zoomIn();
    if (!view->findLayer(layer))
        fail(u"the graph has no layer %1"_s.arg(layer));
}

QPushButton* buttonWithText(QWidget* parent, const QString& text)
{
    for (auto* button : parent->findChildren<QPushButton*>())
        if (button->text().remove(u'&') == text)
            return button;
    fail(u"no button %1"_s.arg(text));
}

void showTab(MainWindow& window, QWidget* page)
{
    auto* tabs = child<QTabWidget>(window, u"views"_s);
    tabs->setCurrentWidget(page);
}

} // namespace

int main(int argc, char* argv[])
{
    QApplication app(argc, argv);
    // Own settings, cleared: the shots never depend on (or change) a user's saved layout.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"TopiaryScreenshots"_s);
    QCoreApplication::setApplicationName(u"topiary-screenshots"_s);
    QSettings().clear();
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    QApplication::setApplicationDisplayName(u"Topiary"_s);

    const QStringList args = app.arguments();
    if (args.size() < 2)
        fail(u"usage: topiary-screenshots OUTDIR [DENSENET.onnx]"_s);
    const QString out = args.at(1);
    if (!QDir().mkpath(out))
        fail(u"cannot create %1"_s.arg(out));
    const QString densenet = args.size() > 2 ? args.at(2) : QString();

    MainWindow window;
    window.setShowErrorDialogs(false);
    window.resize(windowSize);
    window.show();
    load(window, [&] { window.openSample(); }, u"the sample"_s);
    LiveEvaluation* evaluation = window.liveEvaluation();
    waitUntil([&] { return evaluation->original() && evaluation->original()->finished() && evaluation->isIdle(); },
        120000, u"the original's accuracy"_s);

    // A few plans one after another, each evaluated to the end: the Pareto dock gets a
    // point per plan. The last one is the plan the main window and inspector show.
    const std::string pw2 = "/pw2/conv/Conv";
    const std::string conv2 = "/block1/conv2/Conv";
    const std::string conv1 = "/block1/conv1/Conv";
    const std::string down = "/down/conv/Conv";
    const Plan empty;
    applyPlan(window, empty.withPrune(pw2, filterPrune(0.75)), u"pw2 75 %"_s);
    applyPlan(window, empty.withPrune(pw2, filterPrune(0.3)).withPrune(conv1, filterPrune(0.5)), u"pw2 30 %, conv1 50 %"_s);
    applyPlan(window, empty.withQuant(conv2, uniformBits(4)).withQuant(down, uniformBits(4)), u"conv2 and down 4-bit"_s);
    applyPlan(window, empty.withPrune(pw2, filterPrune(0.5)).withPrune(conv1, filterPrune(0.3)).withQuant(down, uniformBits(2)),
        u"aggressive"_s);
    const Plan plan = empty.withPrune(pw2, filterPrune(0.5)).withQuant(conv2, uniformBits(4));
    applyPlan(window, plan, u"pw2 50 %, conv2 4-bit"_s);

    // (a) The main window with the plan, pw2 selected, the graph showing what changed.
    const int pw2Layer = layerIndex(window, pw2);
    showTab(window, window.graphPane());
    window.graphPane()->setMetric(GraphPane::Metric::Bits);
    window.graphPane()->setShowChanges(true);
    zoomToReadable(window.graphPane()->view(), u"/dw2/conv/Conv"_s, 0.8);
    window.selectLayer(pw2Layer);
    auto* inspector = child<LayerInspector>(window, u"layerInspector"_s);
    waitUntil([&] { return inspector->layer() == pw2Layer; }, 20000, u"the inspector"_s);
    save(&window, out, u"main.png"_s);
    if (window.size() != windowSize)
        std::fprintf(stderr, "note: the window is %dx%d, not %dx%d (its docks' minimum sizes)\n", window.width(),
            window.height(), windowSize.width(), windowSize.height());

    // (b) The inspector dock on the pruned layer.
    save(child<QDockWidget>(window, u"inspectorDock"_s), out, u"inspector.png"_s);

    // The 4-bit layer: the histogram draws its sixteen quantization levels.
    const int conv2Layer = layerIndex(window, conv2);
    window.selectLayer(conv2Layer);
    waitUntil([&] { return inspector->layer() == conv2Layer; }, 20000, u"the inspector on conv2"_s);
    save(child<QDockWidget>(window, u"inspectorDock"_s), out, u"inspector-quant.png"_s);
    window.selectLayer(pw2Layer);
    waitUntil([&] { return inspector->layer() == pw2Layer; }, 20000, u"the inspector back on pw2"_s);

    // Presentation mode: what a room sees (full screen, text ×1.3, lines ×2).
    window.setPresentationMode(true);
    settle(800);
    save(&window, out, u"presentation.png"_s);
    window.setPresentationMode(false);
    settle(400);

    // Edit > Preferences.
    window.showPreferences();
    settle();
    save(window.preferencesDialog(), out, u"preferences.png"_s);
    window.preferencesDialog()->close();

    // Compare criteria: pw2's filters ranked by every criterion, each measured at the
    // default 50 %.
    window.selectLayer(pw2Layer);
    auto* compareDock = child<QDockWidget>(window, u"compareDock"_s);
    compareDock->show();
    compareDock->raise();
    CriteriaComparisonView* criteria = window.criteriaView();
    waitUntil([&] { return criteria->rankingTable()->rowCount() == 192; }, 20000, u"the criteria rankings"_s);
    waitUntil([&] { return !criteria->rankingTable()->horizontalHeaderItem(3)->text().contains(u"n/a"_s); }, 60000,
        u"APoZ in the criteria rankings"_s);
    if (!window.measureCriteriaComparison(300))
        fail(u"measuring the criteria did not start"_s);
    waitUntil([&] { return !window.criteriaRunner()->isMeasuring(); }, 300000, u"the criteria measurement"_s);
    criteria->setHighlightedFilter(0);
    compareDock->setFloating(true); // as a user would to read it: the docked width is the inspector's
    compareDock->resize(1200, 620);
    settle();
    save(compareDock, out, u"compare.png"_s);
    compareDock->setFloating(false);
    compareDock->hide();

    // The trace of one filter's removal, frozen at its end: pw1's filter 5 leaves its BN,
    // ReLU, the depthwise conv after it and pw2's input.
    const int pw1Layer = layerIndex(window, "/pw1/conv/Conv");
    window.graphPane()->setMetric(GraphPane::Metric::None);
    window.graphPane()->setShowChanges(false);
    if (auto traced = window.graphPane()->traceFilter(pw1Layer, 5); !traced)
        fail(u"tracing a filter: %1"_s.arg(QString::fromStdString(traced.error().message)));
    GraphView* traceView = window.graphPane()->view();
    traceView->setTraceTime(traceView->traceDuration());
    zoomToReadable(traceView, u"/dw2/conv/Conv"_s, 0.75);
    settle();
    save(window.graphPane(), out, u"trace.png"_s);
    traceView->stopTrace();
    window.graphPane()->setMetric(GraphPane::Metric::Bits);
    window.graphPane()->setShowChanges(true);

    // (d) The Pareto dock with every evaluated plan.
    auto* paretoDock = child<QDockWidget>(window, u"paretoDock"_s);
    paretoDock->show();
    paretoDock->raise();
    save(paretoDock, out, u"pareto.png"_s);

    // (f) The Overview tab with the plan's removed filters.
    showTab(window, child<QWidget>(window, u"networkOverview"_s));
    settle(800);
    save(&window, out, u"overview.png"_s);

    // (c) Analyze > Sensitivity on the sample, to the end.
    showTab(window, window.graphPane());
    bool finished = false;
    bool completed = false;
    QObject::connect(window.sensitivityRunner(), &SensitivityRunner::finished, &window, [&](bool whole) {
        finished = true;
        completed = whole;
    });
    if (!window.runSensitivity(300))
        fail(u"the sensitivity analysis did not start"_s);
    waitUntil([&] { return finished; }, 600000, u"the sensitivity analysis"_s);
    if (!completed)
        fail(u"the sensitivity analysis stopped early"_s);
    // Docked at the bottom it gets what the window's other docks leave (about 200 px);
    // floated, as a user would to read it, it has the room its axis titles need.
    auto* sensitivityDock = child<QDockWidget>(window, u"sensitivityDock"_s);
    sensitivityDock->setFloating(true);
    sensitivityDock->resize(1200, 480);
    save(sensitivityDock, out, u"sensitivity.png"_s);
    sensitivityDock->setFloating(false);

    // The graph coloured by sensitivity: the layers that lose most at 50 % stand out.
    window.graphPane()->setShowChanges(false);
    window.graphPane()->setMetric(GraphPane::Metric::Sensitivity);
    window.graphPane()->setCompact(true);
    settle();
    waitUntil([&] { return window.graphPane()->hasLayout(); }, 60000, u"the compact layout"_s);
    zoomToReadable(window.graphPane()->view(), u"/block1/conv2/Conv"_s, 0.6);
    save(window.graphPane(), out, u"sensitivity-graph.png"_s);

    // Fit to Budget: half the MACs, proposed from the measured sensitivity, with the
    // graph's Show changes on.
    auto* fitDock = child<QDockWidget>(window, u"fitDock"_s);
    fitDock->show();
    fitDock->raise();
    BudgetRequest request;
    request.metric = BudgetMetric::Macs;
    request.value = 80.0;
    request.maxLoss = 0.02;
    auto* fitPanel = window.findChild<BudgetFitPanel*>();
    fitPanel->setRequest(request);
    buttonWithText(fitPanel, u"Propose"_s)->click();
    waitUntil([&] { return fitPanel->hasProposal(); }, 180000, u"the measured fit"_s); // measured on a worker
    window.graphPane()->setCompact(false);
    window.graphPane()->setMetric(GraphPane::Metric::Sparsity);
    window.graphPane()->setShowChanges(true);
    waitUntil([&] { return window.graphPane()->hasLayout(); }, 60000, u"the full layout"_s);
    zoomToReadable(window.graphPane()->view(), u"/block1/conv2/Conv"_s, 0.8);
    waitUntil([&] { return evaluation->isIdle() && evaluation->currentDone(); }, 120000, u"the fitted plan's accuracy"_s);
    save(&window, out, u"fit.png"_s);

    // (e) A big model: DenseNet-121's graph, zoomed into a dense block.
    if (!densenet.isEmpty()) {
        if (!QFileInfo::exists(densenet))
            fail(u"%1 does not exist"_s.arg(densenet));
        load(window, [&] { window.openFile(QFileInfo(densenet).absoluteFilePath()); }, densenet);
        showTab(window, window.graphPane());
        window.graphPane()->setMetric(GraphPane::Metric::MacsShare);
        window.graphPane()->setShowChanges(false);
        GraphView* view = window.graphPane()->view();
        zoomToReadable(view, u"/features/denseblock2/denselayer3/conv1/Conv"_s, 0.8);
        save(window.graphPane(), out, u"densenet121-graph.png"_s);
    }
    return 0;
}
