#include "AnalysisPane.h"

#include "Document.h"
#include "JobTracker.h"
#include "MeasuredFitRunner.h"
#include "SensitivityRunner.h"

#include "widgets/BudgetFitPanel.h"
#include "widgets/NetworkOverviewMap.h"
#include "widgets/ParetoPlot.h"
#include "widgets/SensitivityPlot.h"

#include "core/analysis/BudgetFit.h"
#include "core/analysis/MeasuredFit.h"
#include "core/analysis/NetworkOverview.h"
#include "core/analysis/Sensitivity.h"
#include "core/compress/PruneSelection.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Model.h"
#include "core/report/HtmlReport.h"

#include <QAction>
#include <QHBoxLayout>
#include <QProgressBar>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

namespace topiary {

namespace {
constexpr int statusTimeoutMs = 5000;
constexpr int overviewDebounceMs = 120;
} // namespace

AnalysisPane::AnalysisPane(Document* document, QWidget* window)
    : QObject(window)
    , m_document(document)
    , m_sensitivity(new SensitivityRunner(this))
    , m_fitRunner(new MeasuredFitRunner(this))
    , m_overviewJobs(new JobTracker(this))
{
    m_overview = new NetworkOverviewMap(window);
    m_overview->setObjectName(QStringLiteral("networkOverview"));
    m_overviewTimer = new QTimer(this);
    m_overviewTimer->setSingleShot(true);
    m_overviewTimer->setInterval(overviewDebounceMs);
    connect(m_overviewTimer, &QTimer::timeout, this, &AnalysisPane::refreshOverview);
    connect(m_overview, &NetworkOverviewMap::layerSelected, m_document, &Document::selectLayer);

    createSensitivity(window);

    m_paretoPlot = new ParetoPlot(window);
    m_paretoPlot->setObjectName(QStringLiteral("paretoPlot"));
    connect(m_paretoPlot, &ParetoPlot::pointActivated, this, [this](int id) {
        const auto& plans = m_document->paretoPlans();
        if (id >= 0 && id < static_cast<int>(plans.size()))
            m_document->editPlan(plans[static_cast<size_t>(id)], tr("Back to plan #%1 from the Pareto plot").arg(id + 1));
    });
    connect(m_document, &Document::paretoChanged, this, &AnalysisPane::showPareto);

    createFit(window);

    connect(m_document, &Document::planChanged, this, [this] {
        m_fitPanel->setRecoveryOn(m_document->plan().recovery().any());
        if (m_overviewShown)
            m_overviewTimer->start();
        m_paretoPlot->setCurrent(m_document->currentParetoPoint());
    });
    connect(m_document, &Document::modelChanged, this, &AnalysisPane::onModelChanged);
    connect(m_document, &Document::selectionChanged, this, [this](int layer) {
        m_overview->setSelectedLayer(layer);
        m_sensitivityPlot->setSelectedLayer(layer);
    });
}

void AnalysisPane::createSensitivity(QWidget* window)
{
    m_sensitivityBox = new QWidget(window);
    m_sensitivityPlot = new SensitivityPlot(m_sensitivityBox);
    m_sensitivityPlot->setObjectName(QStringLiteral("sensitivityPlot"));
    m_sensitivityProgress = new QProgressBar(m_sensitivityBox);
    m_sensitivityProgress->setVisible(false);
    auto* layout = new QVBoxLayout(m_sensitivityBox);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_sensitivityPlot, 1);
    layout->addWidget(m_sensitivityProgress);
    connect(m_sensitivityPlot, &SensitivityPlot::layerSelected, m_document, &Document::selectLayer);

    m_sensitivityAction = new QAction(this);
    m_sensitivityAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
    connect(m_sensitivityAction, &QAction::triggered, this, [this] { runSensitivity(); });
    m_cancelSensitivityAction = new QAction(this);
    m_cancelSensitivityAction->setEnabled(false);
    connect(m_cancelSensitivityAction, &QAction::triggered, m_sensitivity, &SensitivityRunner::cancel);

    connect(m_sensitivity, &SensitivityRunner::resultChanged, this, &AnalysisPane::onSensitivityChanged);
    connect(m_sensitivity, &SensitivityRunner::progressed, this, [this](int done, int total) {
        m_sensitivityProgress->setRange(0, total);
        m_sensitivityProgress->setValue(done);
    });
    connect(m_sensitivity, &SensitivityRunner::finished, this, [this](bool completed) {
        m_sensitivityProgress->setVisible(false);
        m_cancelSensitivityAction->setEnabled(false);
        m_sensitivityAction->setEnabled(true);
        emit message(completed ? tr("Sensitivity analysis done") : tr("Sensitivity analysis stopped; the measured points are kept"),
            statusTimeoutMs);
    });
    connect(m_sensitivity, &SensitivityRunner::failed, this, [this](const QString& message) {
        emit this->message(tr("Sensitivity analysis failed: %1").arg(message), statusTimeoutMs);
    });
}

void AnalysisPane::createFit(QWidget* window)
{
    m_fitPanel = new BudgetFitPanel(window);
    // A form, not a plot: it keeps its natural width at the left of a wide dock.
    m_fitBox = new QWidget(window);
    auto* layout = new QHBoxLayout(m_fitBox);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_fitPanel);
    layout->addStretch(1);
    m_fitPanel->setMaximumWidth(640);
    connect(m_fitPanel, &BudgetFitPanel::proposeRequested, this, &AnalysisPane::proposeFit);
    connect(m_fitPanel, &BudgetFitPanel::accepted, this, [this] {
        m_fitPreviewOpen = false;
        emit message(tr("Kept the fitted plan"), statusTimeoutMs);
    });
    connect(m_fitPanel, &BudgetFitPanel::discarded, this, [this] {
        if (m_fitPreviewOpen)
            m_document->undoStack()->undo();
        m_fitPreviewOpen = false;
    });
    connect(m_fitPanel, &BudgetFitPanel::cancelRequested, m_fitRunner, &MeasuredFitRunner::cancel);
    connect(m_fitRunner, &MeasuredFitRunner::progress, m_fitPanel, &BudgetFitPanel::setProgress);
    connect(m_fitRunner, &MeasuredFitRunner::finished, this, &AnalysisPane::showFit);
    connect(m_fitRunner, &MeasuredFitRunner::stopped, this, [this] {
        m_fitPanel->setBusy(false);
        emit message(tr("Fit to budget cancelled; the plan is unchanged"), statusTimeoutMs);
    });
    connect(m_fitRunner, &MeasuredFitRunner::failed, this,
        [this](const QString& text) { m_fitPanel->setError(tr("The fit failed: %1").arg(text)); });
}

void AnalysisPane::retranslateUi()
{
    m_sensitivityAction->setText(tr("&Sensitivity Analysis"));
    m_sensitivityAction->setStatusTip(
        tr("Prune each layer alone at 10–90 % and measure the accuracy it keeps, on up to 500 images"));
    m_cancelSensitivityAction->setText(tr("&Stop Sensitivity Analysis"));
    m_cancelSensitivityAction->setStatusTip(tr("Stop after the current point and keep what was measured"));
    m_sensitivityProgress->setToolTip(tr("Points measured so far"));
}

void AnalysisPane::setOverviewShown(bool shown)
{
    m_overviewShown = shown;
    if (shown)
        m_overviewTimer->start();
}

void AnalysisPane::onModelChanged()
{
    m_sensitivity->cancel();
    m_sensitivityPlot->clear();
    m_overviewJobs->cancel(); // a run on the previous model must not draw over the new one
    m_fitRunner->cancel();
    m_overview->clear();
    if (m_overviewShown)
        m_overviewTimer->start(); // the new model's map, as a plan change would
    m_fitPanel->clearProposal();
    m_fitPanel->setRecoveryOn(!m_document->isEmpty() && m_document->plan().recovery().any());
    m_fitPreviewOpen = false;
    if (!m_document->isEmpty()) {
        const ModelStats& original = m_document->originalStats();
        m_fitPanel->setOriginal(original.effectiveMacs, original.nonzeroWeights, original.encodedBytes);
    }
}

void AnalysisPane::showPareto()
{
    const ParetoSet& pareto = m_document->paretoSet();
    if (pareto.points().empty()) {
        m_paretoPlot->clear();
        return;
    }
    m_paretoPlot->setPoints(pareto);
    m_paretoPlot->setCurrent(m_document->currentParetoPoint());
    if (pareto.points().size() == 2)
        emit showRequested(m_paretoPlot, false); // from the second plan on there is something to compare
}

void AnalysisPane::refreshOverview()
{
    // Scoring every layer takes tens of milliseconds on large models: off the GUI thread,
    // and only the newest run is shown.
    if (m_document->isEmpty() || !m_document->groups()) {
        m_overviewJobs->cancel();
        return;
    }
    // The captures keep the model the run reads alive when the document opens another.
    m_overviewJobs->run(
        [model = m_document->model(), cost = m_document->cost(), groups = m_document->groups(),
            plan = m_document->plan()](const JobToken&) {
            return networkOverview(*model, cost->layers(), *groups, plan, weightScorer(*model, cost->layers()), Criterion::L1);
        },
        [this, cost = m_document->cost()](const Result<NetworkOverview>& overview) {
            if (!overview) {
                emit message(tr("Overview: %1").arg(QString::fromStdString(overview.error().message)), statusTimeoutMs);
                return;
            }
            m_overview->setOverview(*overview, cost->layers());
            m_overview->setSelectedLayer(m_document->selectedLayer());
        });
}

bool AnalysisPane::runSensitivity(int64_t imageLimit)
{
    if (m_document->isEmpty())
        return false;
    if (!m_document->dataset()) {
        emit message(tr("Open a dataset first (File → Open Dataset): sensitivity is measured on images"), statusTimeoutMs);
        return false;
    }
    SensitivityOptions options;
    options.ratios = { 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9 };
    options.granularity = PruneGranularity::Filter;
    options.criterion = Criterion::L1;
    m_sensitivityLimit = imageLimit;
    ++m_sensitivityRuns;
    if (!m_sensitivity->start(m_document->model(), *m_document->dataset(), m_document->preprocess(), options, imageLimit))
        return false;
    emit showRequested(m_sensitivityBox, true);
    m_sensitivityProgress->setRange(0, 0);
    m_sensitivityProgress->setVisible(true);
    m_sensitivityAction->setEnabled(false);
    m_cancelSensitivityAction->setEnabled(true);
    return true;
}

void AnalysisPane::onSensitivityChanged()
{
    if (m_document->isEmpty() || !m_sensitivity->hasResult())
        return;
    const auto& layers = m_document->cost()->layers();
    const SensitivityResult& result = m_sensitivity->result();
    m_sensitivityPlot->setResult(result, layers);
    // The graph's Sensitivity colouring: top-1 lost when the layer alone loses half its filters.
    emit sensitivityLossChanged(lossAtRatio(result, layers, 0.5));
}

bool AnalysisPane::proposeFit(const BudgetRequest& request)
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
    if (!m_document->dataset()) {
        m_fitPanel->setError(tr("Open a dataset first: the proposal is measured on its images."));
        return false;
    }
    MeasuredFitRunner::Inputs in;
    in.model = m_document->model();
    in.cost = m_document->cost();
    in.groups = m_document->groups();
    in.stats = m_document->statsModel();
    in.dataset = m_document->dataset();
    in.preprocess = m_document->preprocess();
    in.imageLimit = m_sensitivityLimit;
    in.sensitivity = sensitivity;
    in.sweep = m_sensitivity->options();
    in.target = request.target(base);
    in.maxLoss = request.maxLoss;
    in.rounds = m_fitRounds;
    in.recovery = m_document->plan().recovery(); // the Recover switch: measured as it will be exported
    in.recoveredSweep = request.recoveredSweep && in.recovery.any();
    in.sweepId = m_sensitivityRuns;
    m_fitPanel->setBusy(true);
    m_fitRunner->start(std::move(in));
    return true;
}

void AnalysisPane::showFit(const MeasuredFit& fit)
{
    const FitAttempt& best = fit.best();
    if (m_fitPreviewOpen)
        m_document->undoStack()->undo(); // the previous proposal goes before the next one shows
    // Open only when the fit became an undo step (a plan equal to the current one does not).
    const int before = m_document->undoStack()->index();
    m_document->editPlan(best.plan, tr("Fit to budget"));
    m_fitPreviewOpen = m_document->undoStack()->index() > before;
    BudgetProposal proposal;
    proposal.summary = QString::fromStdString(planSummary(best.plan, m_document->cost()->layers()));
    proposal.achieved = best.achieved;
    proposal.predictedLoss = best.predictedLoss;
    proposal.met = best.met;
    proposal.measuredLoss = best.measuredLoss;
    proposal.unrecoveredLoss = best.unrecoveredLoss;
    proposal.withinLoss = fit.withinLoss;
    proposal.plansTried = static_cast<int>(fit.attempts.size());
    m_fitPanel->setProposal(proposal);
}

} // namespace topiary
