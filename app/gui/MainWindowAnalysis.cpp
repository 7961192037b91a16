// MainWindow's whole-network analyses: the importance overview tab, the sensitivity
// sweep (Analyze menu) with its curves, the Pareto plot of every plan evaluated in this
// session, and fitting a plan to a budget. Kept apart from the window's files and menus.
#include "MainWindow.h"

#include "GraphPane.h"
#include "LiveEvaluation.h"
#include "SensitivityRunner.h"

#include "widgets/BudgetFitPanel.h"
#include "widgets/NetworkOverviewMap.h"
#include "widgets/ParetoPlot.h"
#include "widgets/SensitivityPlot.h"

#include "core/analysis/BudgetFit.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/report/HtmlReport.h"
#include "core/model/Model.h"
#include "core/analysis/NetworkOverview.h"
#include "core/compress/PruneSelection.h"
#include "core/analysis/Sensitivity.h"

#include <QAction>
#include <QDockWidget>
#include <QFutureWatcher>
#include <QMenu>
#include <QMenuBar>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUndoStack>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace topiary {

namespace {
constexpr int statusTimeoutMs = 5000;
constexpr int overviewDebounceMs = 120;
} // namespace

void MainWindow::createAnalysisDocks()
{
    m_sensitivity = new SensitivityRunner(this);

    m_overview = new NetworkOverviewMap(this);
    m_overview->setObjectName(QStringLiteral("networkOverview"));
    m_tabs->addTab(m_overview, QString());
    m_overviewTimer = new QTimer(this);
    m_overviewTimer->setSingleShot(true);
    m_overviewTimer->setInterval(overviewDebounceMs);
    connect(m_overviewTimer, &QTimer::timeout, this, &MainWindow::refreshOverview);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_overview)
            m_overviewTimer->start();
    });
    connect(m_overview, &NetworkOverviewMap::layerSelected, this, &MainWindow::selectLayer);

    auto* sensitivityBox = new QWidget(this);
    m_sensitivityPlot = new SensitivityPlot(sensitivityBox);
    m_sensitivityPlot->setObjectName(QStringLiteral("sensitivityPlot"));
    m_sensitivityProgress = new QProgressBar(sensitivityBox);
    m_sensitivityProgress->setVisible(false);
    auto* sensitivityLayout = new QVBoxLayout(sensitivityBox);
    sensitivityLayout->setContentsMargins(0, 0, 0, 0);
    sensitivityLayout->addWidget(m_sensitivityPlot, 1);
    sensitivityLayout->addWidget(m_sensitivityProgress);
    m_sensitivityDock = new QDockWidget(this);
    m_sensitivityDock->setObjectName(QStringLiteral("sensitivityDock"));
    m_sensitivityDock->setWidget(sensitivityBox);
    addDockWidget(Qt::BottomDockWidgetArea, m_sensitivityDock);
    connect(m_sensitivityPlot, &SensitivityPlot::layerSelected, this, &MainWindow::selectLayer);

    m_paretoPlot = new ParetoPlot(this);
    m_paretoPlot->setObjectName(QStringLiteral("paretoPlot"));
    m_paretoDock = new QDockWidget(this);
    m_paretoDock->setObjectName(QStringLiteral("paretoDock"));
    m_paretoDock->setWidget(m_paretoPlot);
    addDockWidget(Qt::BottomDockWidgetArea, m_paretoDock);
    tabifyDockWidget(m_sensitivityDock, m_paretoDock);
    connect(m_paretoPlot, &ParetoPlot::pointActivated, this, [this](int id) {
        if (id >= 0 && id < static_cast<int>(m_paretoPlans.size()))
            proposePlan(m_paretoPlans[static_cast<size_t>(id)], tr("Back to plan #%1 from the Pareto plot").arg(id + 1));
    });

    m_fitPanel = new BudgetFitPanel(this);
    m_fitDock = new QDockWidget(this);
    m_fitDock->setObjectName(QStringLiteral("fitDock"));
    // A form, not a plot: it keeps its natural width at the left of a wide dock.
    auto* fitBox = new QWidget(this);
    auto* fitLayout = new QHBoxLayout(fitBox);
    fitLayout->setContentsMargins(0, 0, 0, 0);
    fitLayout->addWidget(m_fitPanel);
    fitLayout->addStretch(1);
    m_fitPanel->setMaximumWidth(640);
    m_fitDock->setWidget(fitBox);
    addDockWidget(Qt::BottomDockWidgetArea, m_fitDock);
    tabifyDockWidget(m_paretoDock, m_fitDock);
    // Shown when used (Analyze menu, an evaluated plan), so the graph gets the room first.
    m_sensitivityDock->hide();
    m_paretoDock->hide();
    m_fitDock->hide();
    connect(m_fitPanel, &BudgetFitPanel::proposeRequested, this, &MainWindow::proposeFit);
    connect(m_fitPanel, &BudgetFitPanel::accepted, this, [this] {
        m_fitPreviewOpen = false;
        statusBar()->showMessage(tr("Kept the fitted plan"), statusTimeoutMs);
    });
    connect(m_fitPanel, &BudgetFitPanel::discarded, this, [this] {
        if (m_fitPreviewOpen)
            m_document->undoStack()->undo();
        m_fitPreviewOpen = false;
    });

    m_analyzeMenu = menuBar()->insertMenu(m_helpMenu->menuAction(), new QMenu(this))->menu();
    m_sensitivityAction = new QAction(this);
    m_sensitivityAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    connect(m_sensitivityAction, &QAction::triggered, this, [this] { runSensitivity(); });
    m_cancelSensitivityAction = new QAction(this);
    m_cancelSensitivityAction->setEnabled(false);
    connect(m_cancelSensitivityAction, &QAction::triggered, m_sensitivity, &SensitivityRunner::cancel);
    m_analyzeMenu->addAction(m_sensitivityAction);
    m_analyzeMenu->addAction(m_cancelSensitivityAction);
    m_analyzeMenu->addSeparator();
    m_analyzeMenu->addAction(m_fitDock->toggleViewAction());
    m_viewMenu->addAction(m_sensitivityDock->toggleViewAction());
    m_viewMenu->addAction(m_paretoDock->toggleViewAction());

    connect(m_sensitivity, &SensitivityRunner::resultChanged, this, &MainWindow::onSensitivityChanged);
    connect(m_sensitivity, &SensitivityRunner::progressed, this, [this](int done, int total) {
        m_sensitivityProgress->setRange(0, total);
        m_sensitivityProgress->setValue(done);
    });
    connect(m_sensitivity, &SensitivityRunner::finished, this, [this](bool completed) {
        m_sensitivityProgress->setVisible(false);
        m_cancelSensitivityAction->setEnabled(false);
        m_sensitivityAction->setEnabled(true);
        statusBar()->showMessage(completed ? tr("Sensitivity analysis done") : tr("Sensitivity analysis stopped; the measured points are kept"),
            statusTimeoutMs);
    });
    connect(m_sensitivity, &SensitivityRunner::failed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("Sensitivity analysis failed: %1").arg(message), statusTimeoutMs);
    });
    connect(m_evaluation, &LiveEvaluation::evaluated, this, &MainWindow::addParetoPoint);
    connect(m_document, &Document::planChanged, this, [this] {
        if (m_tabs->currentWidget() == m_overview)
            m_overviewTimer->start();
        int current = -1;
        for (size_t i = 0; i < m_paretoPlans.size(); ++i)
            if (m_paretoPlans[i] == m_document->plan())
                current = static_cast<int>(i);
        m_paretoPlot->setCurrent(current);
    });
    connect(m_document, &Document::modelChanged, this, [this] {
        m_sensitivity->cancel();
        m_sensitivityPlot->clear();
        ++m_overviewGeneration; // a run on the previous model must not draw over the new one
        m_overview->clear();
        if (m_tabs->currentWidget() == m_overview)
            m_overviewTimer->start(); // the new model's map, as a plan change would
        m_pareto.clear();
        m_paretoPlans.clear();
        m_paretoPlot->clear();
        m_fitPanel->clearProposal();
        m_fitPreviewOpen = false;
        if (!m_document->isEmpty()) {
            const ModelStats& original = m_document->originalStats();
            m_fitPanel->setOriginal(original.effectiveMacs, original.nonzeroWeights, original.encodedBytes);
        }
    });
}

void MainWindow::retranslateAnalysis()
{
    m_tabs->setTabText(2, tr("Overview"));
    m_tabs->setTabToolTip(2, tr("Every layer's filters ranked by importance; the ones the plan removes in red."));
    m_sensitivityDock->setWindowTitle(tr("Sensitivity"));
    m_paretoDock->setWindowTitle(tr("Pareto"));
    m_fitDock->setWindowTitle(tr("Fit to Budget"));
    m_fitDock->toggleViewAction()->setText(tr("&Fit to Budget…"));
    m_analyzeMenu->setTitle(tr("&Analyze"));
    m_sensitivityAction->setText(tr("&Sensitivity Analysis"));
    m_sensitivityAction->setStatusTip(
        tr("Prune each layer alone at 10–90 % and measure the accuracy it keeps, on up to 500 images"));
    m_cancelSensitivityAction->setText(tr("&Stop Sensitivity Analysis"));
    m_cancelSensitivityAction->setStatusTip(tr("Stop after the current point and keep what was measured"));
    m_sensitivityProgress->setToolTip(tr("Points measured so far"));
}

void MainWindow::refreshOverview()
{
    // Scoring every layer takes tens of milliseconds on large models: off the GUI thread,
    // and only the newest run is shown.
    const quint64 generation = ++m_overviewGeneration;
    if (m_document->isEmpty() || !m_document->groups())
        return;
    auto* watcher = new QFutureWatcher<Result<NetworkOverview>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, cost = m_document->cost()] {
        watcher->deleteLater();
        if (generation != m_overviewGeneration)
            return; // the plan or the model changed meanwhile
        Result<NetworkOverview> overview = watcher->result();
        if (!overview) {
            statusBar()->showMessage(tr("Overview: %1").arg(QString::fromStdString(overview.error().message)),
                statusTimeoutMs);
            return;
        }
        m_overview->setOverview(*overview, cost->layers());
        m_overview->setSelectedLayer(m_selectedLayer);
    });
    // The captures keep the model the run reads alive when the document opens another.
    watcher->setFuture(QtConcurrent::run([model = m_document->model(), cost = m_document->cost(),
                                             groups = m_document->groups(), plan = m_document->plan()] {
        return networkOverview(*model, cost->layers(), *groups, plan, weightScorer(*model, cost->layers()),
            Criterion::L1);
    }));
}

bool MainWindow::runSensitivity(int64_t imageLimit)
{
    if (m_document->isEmpty())
        return false;
    if (!m_evaluation->dataset()) {
        statusBar()->showMessage(tr("Open a dataset first (File → Open Dataset): sensitivity is measured on images"),
            statusTimeoutMs);
        return false;
    }
    SensitivityOptions options;
    options.ratios = { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };
    options.granularity = PruneGranularity::Filter;
    options.criterion = Criterion::L1;
    if (!m_sensitivity->start(m_document->model(), *m_evaluation->dataset(), m_evaluation->spec(), options, imageLimit))
        return false;
    m_sensitivityDock->show();
    m_sensitivityDock->raise();
    m_sensitivityProgress->setRange(0, 0);
    m_sensitivityProgress->setVisible(true);
    m_sensitivityAction->setEnabled(false);
    m_cancelSensitivityAction->setEnabled(true);
    return true;
}

void MainWindow::onSensitivityChanged()
{
    if (m_document->isEmpty() || !m_sensitivity->hasResult())
        return;
    const auto& layers = m_document->cost()->layers();
    const SensitivityResult& result = m_sensitivity->result();
    m_sensitivityPlot->setResult(result, layers);
    // The graph's Sensitivity colouring: top-1 lost when the layer alone loses half its filters.
    m_graph->setSensitivity(lossAtRatio(result, layers, 0.5));
}

bool MainWindow::proposeFit(const BudgetRequest& request)
{
    if (m_document->isEmpty())
        return false;
    const SensitivityResult& sensitivity = m_sensitivity->result();
    bool measured = false;
    for (const auto& point : sensitivity.points)
        measured = measured || point.evaluated;
    if (!m_sensitivity->hasResult() || !measured || m_sensitivity->isRunning()) {
        m_fitPanel->setError(tr("Run Analyze → Sensitivity Analysis to the end first: the fit uses its measurements."));
        return false;
    }
    const ModelStats& original = m_document->originalStats();
    const double base = request.metric == BudgetMetric::Macs ? static_cast<double>(original.effectiveMacs)
        : request.metric == BudgetMetric::Params             ? static_cast<double>(original.nonzeroWeights)
                                                             : static_cast<double>(original.encodedBytes);
    m_fitPanel->setBusy(true);
    auto fit = fitBudget(*m_document->model(), *m_document->statsModel(), sensitivity, m_sensitivity->options(),
        request.target(base));
    m_fitPanel->setBusy(false);
    if (!fit) {
        m_fitPanel->setError(QString::fromStdString(fit.error().message));
        return false;
    }
    if (m_fitPreviewOpen)
        m_document->undoStack()->undo(); // the previous proposal goes before the next one shows
    proposePlan(fit->plan, tr("Fit to budget"));
    m_fitPreviewOpen = true;
    m_fitPanel->setProposal({ QString::fromStdString(planSummary(fit->plan, m_document->cost()->layers())), fit->achieved,
        fit->predictedLoss, fit->met });
    return true;
}

void MainWindow::addParetoPoint(const Plan& plan, const EvaluationMetrics& metrics)
{
    if (m_document->isEmpty() || !(plan == m_document->plan()))
        return;
    const ModelStats& stats = m_document->currentStats();
    int id = -1;
    for (size_t i = 0; i < m_paretoPlans.size(); ++i)
        if (m_paretoPlans[i] == plan)
            id = static_cast<int>(i);
    if (id < 0) {
        id = static_cast<int>(m_paretoPlans.size());
        m_paretoPlans.push_back(plan);
    }
    const Estimate accuracy = metrics.labelled > 0 ? metrics.top1() : metrics.agreement();
    const std::string label = plan.empty() ? tr("original").toStdString()
                                           : planSummary(plan, m_document->cost()->layers());
    m_pareto.add({ id, accuracy, stats.encodedBytes, stats.effectiveMacs, label });
    m_paretoPlot->setPoints(m_pareto);
    m_paretoPlot->setCurrent(id);
    if (m_pareto.points().size() == 2 && m_paretoDock->isHidden())
        m_paretoDock->show(); // from the second plan on there is something to compare
}

} // namespace topiary
