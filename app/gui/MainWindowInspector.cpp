// MainWindow's layer inspector: the selected layer's histogram, importance heatmap and
// controls in a dock. The inspection is computed off the GUI thread when the selection
// or the model changes and refreshed in place (cheap) when the plan changes; the
// inspector's gestures become plan edits, a drag becoming one undo step.
#include "MainWindow.h"

#include "GraphPane.h"
#include "LiveEvaluation.h"

#include "widgets/ExplainPanel.h"
#include "widgets/ImportanceHeatmap.h"
#include "widgets/LayerInspector.h"
#include "widgets/NumberFormat.h"

#include "core/eval/ActivationStats.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/analysis/Explanation.h"
#include "core/compress/Importance.h"
#include "core/analysis/LayerInspection.h"
#include "core/model/Model.h"

#include <QAction>
#include <QDockWidget>
#include <QFutureWatcher>
#include <QMenu>
#include <QStatusBar>
#include <QTabWidget>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace topiary {

namespace {
// Merge keys of the inspector's gestures (layers are added so each layer has its own).
constexpr int kPruneSliderKey = 1 << 20;
constexpr int kThresholdKey = 2 << 20;
} // namespace

void MainWindow::createInspector()
{
    m_inspector = new LayerInspector(this);
    m_inspector->setObjectName(QStringLiteral("layerInspector"));
    m_inspectorDock = new QDockWidget(this);
    m_inspectorDock->setObjectName(QStringLiteral("inspectorDock"));
    m_inspectorDock->setWidget(m_inspector);
    addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);
    m_viewMenu->addAction(m_inspectorDock->toggleViewAction());

    // Help > Explain: the selected layer's numbers in plain words, beside the inspector.
    m_explain = new ExplainPanel(this);
    m_explain->setObjectName(QStringLiteral("explainPanel"));
    m_explainDock = new QDockWidget(this);
    m_explainDock->setObjectName(QStringLiteral("explainDock"));
    m_explainDock->setWidget(m_explain);
    addDockWidget(Qt::RightDockWidgetArea, m_explainDock);
    tabifyDockWidget(m_inspectorDock, m_explainDock);
    m_inspectorDock->raise();
    m_explainAction = m_explainDock->toggleViewAction();
    m_explainAction->setShortcut(QKeySequence(Qt::Key_F1 | Qt::SHIFT));
    m_helpMenu->insertAction(m_helpMenu->actions().value(0), m_explainAction);
    connect(m_explainDock, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            refreshInspector();
    });

    // Teaching: where one filter's removal goes, animated on the graph tab.
    auto traceFilter = [this](int layer, int filter) {
        if (layer < 0 || m_document->isEmpty())
            return;
        m_tabs->setCurrentWidget(m_graph);
        if (auto traced = m_graph->traceFilter(layer, filter); !traced)
            statusBar()->showMessage(QString::fromStdString(traced.error().message), 5000);
    };
    connect(m_inspector, &LayerInspector::traceRequested, this,
        [this, traceFilter](int filter) { traceFilter(m_selectedLayer, filter); });
    auto* traceAction = new QAction(this);
    traceAction->setObjectName(QStringLiteral("traceFilterAction"));
    m_helpMenu->insertAction(m_helpMenu->actions().value(1), traceAction);
    // Texts set when the menu opens, so they follow a language change without a hook in
    // MainWindow::retranslateUi.
    auto retranslateTrace = [traceAction] {
        traceAction->setText(tr("&Trace Filter Removal"));
        traceAction->setStatusTip(tr("Animate on the graph where the selected layer's least important filter goes when pruned"));
        traceAction->setToolTip(traceAction->statusTip());
    };
    retranslateTrace();
    connect(m_helpMenu, &QMenu::aboutToShow, traceAction, retranslateTrace);
    connect(traceAction, &QAction::triggered, this, [this, traceFilter] {
        if (m_selectedLayer < 0 || m_document->isEmpty()) {
            statusBar()->showMessage(tr("Select a layer to trace one of its filters."), 5000);
            return;
        }
        // The least important filter under the heatmap's criterion, else by L1 norm.
        std::vector<float> scores;
        if (m_inspection && m_inspection->layer == m_selectedLayer) {
            const auto& chosen = m_inspection->scores(m_inspector->heatmap()->criterion());
            if (chosen.available())
                scores = *chosen.scores;
        }
        if (scores.empty()) {
            const Layer& layer = m_document->cost()->layers()[static_cast<size_t>(m_selectedLayer)];
            if (auto filters = filterMatrix(*m_document->model(), layer))
                scores = l1Scores(*filters);
        }
        const int filter = scores.empty() ? 0 : static_cast<int>(std::min_element(scores.begin(), scores.end()) - scores.begin());
        traceFilter(m_selectedLayer, filter);
    });

    connect(m_inspector, &LayerInspector::pruneEdited, this, &MainWindow::editSelectedLayerPrune);
    connect(m_inspector, &LayerInspector::thresholdDragged, this, [this](double m) { dragThreshold(m, true); });
    connect(m_inspector, &LayerInspector::thresholdDragFinished, this, [this](double m) { dragThreshold(m, false); });
    connect(m_inspector, &LayerInspector::quantEdited, this, [this](const QuantSpec& spec) {
        if (m_selectedLayer < 0)
            return;
        const auto& name = m_document->cost()->layers()[static_cast<size_t>(m_selectedLayer)].name;
        proposePlan(m_document->plan().withQuant(name, spec),
            spec.scheme == QuantScheme::Float32 ? tr("%1 back to float").arg(QString::fromStdString(name))
                                                : tr("%1 at %2 bits").arg(QString::fromStdString(name)).arg(spec.bits));
    });
    connect(m_inspector, &LayerInspector::lowRankEdited, this, [this](const LowRankSpec& spec) {
        if (m_selectedLayer < 0)
            return;
        const auto& name = m_document->cost()->layers()[static_cast<size_t>(m_selectedLayer)].name;
        proposePlan(m_document->plan().withLowRank(name, spec),
            spec.rank > 0 ? tr("%1 at rank %2").arg(QString::fromStdString(name)).arg(spec.rank)
                          : tr("%1 at full rank").arg(QString::fromStdString(name)));
    });
    connect(m_document, &Document::modelChanged, this, [this] {
        m_scorer = m_document->isEmpty() ? FilterScorer {}
                                         : cachedScorer(weightScorer(*m_document->model(), m_document->cost()->layers()));
        m_inspection.reset();
        m_activationStats.reset();
        ++m_activationGeneration; // counts of the previous model are not this one's
        m_inspector->clear();
        m_explain->clearExplanation();
    });
    connect(m_document, &Document::planChanged, this, &MainWindow::refreshInspector);
}

void MainWindow::inspectSelectedLayer()
{
    const quint64 generation = ++m_inspectGeneration;
    m_inspection.reset();
    if (m_selectedLayer < 0 || m_document->isEmpty() || !m_document->groups()) {
        m_inspector->clear();
        m_explain->clearExplanation();
        return;
    }
    auto* watcher = new QFutureWatcher<Result<LayerInspection>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_inspectGeneration)
            return; // another layer was selected meanwhile
        Result<LayerInspection> inspection = watcher->result();
        if (!inspection) {
            m_inspector->clear();
            statusBar()->showMessage(QString::fromStdString(inspection.error().message), 5000);
            return;
        }
        m_inspection = std::make_shared<LayerInspection>(std::move(*inspection));
        refreshInspector(); // the plan may have changed while it ran
    });
    watcher->setFuture(QtConcurrent::run([model = m_document->model(), cost = m_document->cost(),
                                             groups = m_document->groups(), layer = m_selectedLayer,
                                             plan = m_document->plan(), scorer = m_scorer] {
        return inspectLayer(*model, cost->layers(), *groups, layer, plan, scorer);
    }));
}

void MainWindow::refreshInspector()
{
    if (!m_inspection || m_document->isEmpty())
        return;
    refreshInspection(*m_inspection, *m_document->model(), m_document->cost()->layers(), *m_document->groups(),
        m_document->plan(), m_scorer);
    m_inspector->setInspection(*m_inspection, m_document->plan().spec(m_inspection->name));
    // Explained only while shown: a factored layer's SVD is not free.
    if (m_explainDock->isVisible()) {
        const auto& stats = m_document->currentStats();
        const auto layer = static_cast<size_t>(m_selectedLayer);
        auto explanation = explainLayer(*m_document->model(), m_document->cost()->layers(), m_selectedLayer,
            m_document->plan().spec(m_inspection->name), *m_inspection, layer < stats.layers.size() ? &stats.layers[layer] : nullptr,
            m_activationStats.get());
        if (explanation)
            m_explain->setExplanation(*explanation, QString::fromStdString(m_inspection->name));
        else
            m_explain->clearExplanation();
    }
}

void MainWindow::editSelectedLayerPrune(const PruneSpec& spec, bool dragging)
{
    if (m_selectedLayer < 0 || m_document->isEmpty())
        return;
    const auto& name = QString::fromStdString(m_document->cost()->layers()[static_cast<size_t>(m_selectedLayer)].name);
    QString text;
    if (spec.granularity == PruneGranularity::None)
        text = tr("Stop pruning %1").arg(name);
    else if (spec.mode == PruneMode::Ratio)
        text = spec.granularity == PruneGranularity::Filter ? tr("Prune %1 filters of %2").arg(format::percent(spec.value), name)
                                                            : tr("Prune %1 weights of %2").arg(format::percent(spec.value), name);
    else
        text = tr("Prune %1 below %2").arg(name).arg(spec.value, 0, 'g', 3);
    proposePlan(withLayerPrune(m_document->plan(), m_document->cost()->layers(), *m_document->groups(), m_selectedLayer, spec),
        text, kPruneSliderKey + m_selectedLayer, dragging);
}

void MainWindow::dragThreshold(double magnitude, bool dragging)
{
    if (m_selectedLayer < 0 || m_document->isEmpty())
        return;
    const Layer& layer = m_document->cost()->layers()[static_cast<size_t>(m_selectedLayer)];
    const PruneSpec current = m_document->plan().spec(layer.name).prune;
    PruneSpec spec { PruneGranularity::Element, Criterion::L1, PruneMode::Threshold, magnitude };
    // The line sets what the spec already is: a threshold stays one, anything else becomes
    // the ratio of weights the line cuts (so the plan stays portable across retraining).
    if (!(current.granularity == PruneGranularity::Element && current.mode == PruneMode::Threshold)) {
        auto ratio = elementRatioBelow(*m_document->model(), layer, magnitude);
        if (!ratio)
            return;
        spec.mode = PruneMode::Ratio;
        spec.value = *ratio;
    }
    if (magnitude <= 0.0)
        spec = PruneSpec {};
    proposePlan(m_document->plan().withPrune(layer.name, spec),
        tr("Prune weights of %1 below %2").arg(QString::fromStdString(layer.name)).arg(magnitude, 0, 'g', 3),
        kThresholdKey + m_selectedLayer, dragging);
}

void MainWindow::gatherActivations()
{
    const quint64 generation = ++m_activationGeneration;
    if (m_document->isEmpty() || !m_evaluation->dataset())
        return;
    auto* watcher = new QFutureWatcher<Result<ActivationStats>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_activationGeneration || m_document->isEmpty())
            return;
        Result<ActivationStats> stats = watcher->result();
        if (!stats) {
            statusBar()->showMessage(tr("APoZ is not available: %1").arg(QString::fromStdString(stats.error().message)), 5000);
            return;
        }
        const auto& layers = m_document->cost()->layers();
        m_activationStats = std::make_shared<const ActivationStats>(*stats); // for Explain's APoZ
        m_scorer = cachedScorer(activationScorer(std::move(*stats), weightScorer(*m_document->model(), layers)));
        inspectSelectedLayer(); // now with APoZ scores
        refreshComparison();
    });
    // The same images the evaluation uses; 256 of them, as topiary-cli's --data default.
    watcher->setFuture(QtConcurrent::run([model = m_document->model(), cost = m_document->cost(),
                                             dataset = *m_evaluation->dataset(), spec = m_evaluation->spec()] {
        return gatherActivationStats(*model, cost->layers(), dataset, spec);
    }));
}

} // namespace topiary
