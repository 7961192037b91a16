#include "InspectorPane.h"

#include "ActivationSection.h"
#include "Document.h"
#include "JobTracker.h"
#include "RatioStepper.h"
#include "RecoveryRunner.h"

#include "widgets/ExplainPanel.h"
#include "widgets/ImportanceHeatmap.h"
#include "widgets/LayerControls.h"
#include "widgets/LayerInspector.h"
#include "widgets/NumberFormat.h"
#include "widgets/RecoveryNote.h"

#include "core/analysis/Explanation.h"
#include "core/analysis/RecoveryExplanation.h"
#include "core/compress/Importance.h"
#include "core/eval/ActivationStats.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Model.h"

#include <QVBoxLayout>

#include <algorithm>

namespace topiary {

namespace {
// Merge keys of the inspector's gestures (layers are added so each layer has its own).
constexpr int kPruneSliderKey = 1 << 20;
constexpr int kThresholdKey = 2 << 20;
// The Step animation's edits merge into one undo step per layer.
constexpr int kStepKey = 3 << 20;
constexpr int statusTimeoutMs = 5000;
} // namespace

InspectorPane::InspectorPane(Document* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_inspector(new LayerInspector(this))
    , m_explain(new ExplainPanel(this))
    , m_stepper(new RatioStepper(this))
    , m_inspections(new JobTracker(this))
    , m_activations(new JobTracker(this))
{
    m_inspector->setObjectName(QStringLiteral("layerInspector"));
    m_explain->setObjectName(QStringLiteral("explainPanel"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_inspector);
    m_recoveryNote = new RecoveryNote(this);
    layout->addWidget(m_recoveryNote);

    connect(m_inspector, &LayerInspector::traceRequested, this, [this](int filter) {
        if (m_document->selectedLayer() >= 0)
            emit traceRequested(m_document->selectedLayer(), filter);
    });
    connect(m_inspector, &LayerInspector::pruneEdited, this, &InspectorPane::editPrune);
    connect(m_inspector, &LayerInspector::thresholdDragged, this, [this](double m) { dragThreshold(m, true); });
    connect(m_inspector, &LayerInspector::thresholdDragFinished, this, [this](double m) { dragThreshold(m, false); });
    connect(m_inspector, &LayerInspector::quantEdited, this, [this](const QuantSpec& spec) {
        const int selected = m_document->selectedLayer();
        if (selected < 0)
            return;
        const auto& name = m_document->cost()->layers()[static_cast<size_t>(selected)].name;
        m_document->editPlan(m_document->plan().withQuant(name, spec),
            spec.scheme == QuantScheme::Float32 ? tr("%1 back to float").arg(QString::fromStdString(name))
                                                : tr("%1 at %2 bits").arg(QString::fromStdString(name)).arg(spec.bits));
    });
    connect(m_inspector, &LayerInspector::lowRankEdited, this, [this](const LowRankSpec& spec) {
        const int selected = m_document->selectedLayer();
        if (selected < 0)
            return;
        const auto& name = m_document->cost()->layers()[static_cast<size_t>(selected)].name;
        m_document->editPlan(m_document->plan().withLowRank(name, spec),
            spec.rank > 0 ? tr("%1 at rank %2").arg(QString::fromStdString(name)).arg(spec.rank)
                          : tr("%1 at full rank").arg(QString::fromStdString(name)));
    });
    connect(m_document, &Document::modelChanged, this, [this] {
        m_inspection.reset();
        m_activations->cancel(); // counts of the previous model are not this one's
        m_inspector->clear();
        m_explain->clearExplanation();
    });
    connect(m_document, &Document::selectionChanged, this, [this](int layer) {
        if (m_stepper->isRunning() && layer != m_stepper->layer())
            m_stepper->stop(); // the animation belongs to the layer it started on
        inspectSelectedLayer();
    });
    connect(m_document, &Document::planChanged, this, [this] {
        if (!m_applyingStep)
            m_stepper->stop(); // any other change of the plan (an undo, a table edit, a recipe) ends the animation
        refresh();
    });
    connect(m_document, &Document::datasetChanged, this, &InspectorPane::gatherActivations);
    connect(m_document, &Document::activationStatsChanged, this, &InspectorPane::inspectSelectedLayer);
    connect(m_document, &Document::taylorScoresChanged, this, &InspectorPane::inspectSelectedLayer);
    createStep();
    m_activationSection = new ActivationSection(m_document, m_inspector, this);
    connect(m_activationSection, &ActivationSection::message, this, &InspectorPane::message);
}

void InspectorPane::setRecoveryRunner(RecoveryRunner* runner)
{
    m_recovery = runner;
    connect(runner, &RecoveryRunner::finished, this, &InspectorPane::showRecovery);
    connect(runner, &RecoveryRunner::stopped, this, &InspectorPane::showRecovery);
    // Explain mode says what recovery changed, too, once the worker has it.
    connect(runner, &RecoveryRunner::finished, this, [this] {
        if (m_explain->isVisible() && m_inspection && m_inspection->layer == m_document->selectedLayer())
            refresh();
    });
    connect(m_document, &Document::selectionChanged, this, &InspectorPane::showRecovery);
    connect(m_document, &Document::planChanged, this, &InspectorPane::showRecovery);
    showRecovery();
}

void InspectorPane::showRecovery()
{
    const int selected = m_document->selectedLayer();
    const RecoveryResult* result = m_recovery ? m_recovery->result() : nullptr;
    const LayerRecovery* layer = nullptr;
    if (result && selected >= 0 && !m_document->isEmpty() && m_recovery->plan() == m_document->plan())
        layer = result->find(m_document->cost()->layers()[static_cast<size_t>(selected)].name);
    if (layer)
        m_recoveryNote->setExplanation(explainRecovery(*layer), static_cast<int>(result->images));
    else
        m_recoveryNote->clearExplanation();
}

void InspectorPane::setExplainShown(bool shown)
{
    if (shown)
        refresh();
}

void InspectorPane::traceLeastImportantFilter()
{
    const int selected = m_document->selectedLayer();
    if (selected < 0 || m_document->isEmpty()) {
        emit message(tr("Select a layer to trace one of its filters."), statusTimeoutMs);
        return;
    }
    // The least important filter under the heatmap's criterion, else by L1 norm.
    std::vector<float> scores;
    if (m_inspection && m_inspection->layer == selected) {
        const auto& chosen = m_inspection->scores(m_inspector->heatmap()->criterion());
        if (chosen.available())
            scores = *chosen.scores;
    }
    if (scores.empty()) {
        const Layer& layer = m_document->cost()->layers()[static_cast<size_t>(selected)];
        if (auto filters = filterMatrix(*m_document->model(), layer))
            scores = l1Scores(*filters);
    }
    const int filter = scores.empty() ? 0 : static_cast<int>(std::min_element(scores.begin(), scores.end()) - scores.begin());
    emit traceRequested(selected, filter);
}

void InspectorPane::inspectSelectedLayer()
{
    m_inspection.reset();
    const int selected = m_document->selectedLayer();
    if (selected < 0 || m_document->isEmpty() || !m_document->groups()) {
        m_inspections->cancel();
        m_inspector->clear();
        m_explain->clearExplanation();
        return;
    }
    // Another selection makes this one stale: only the newest inspection is shown.
    m_inspections->run(
        [model = m_document->model(), cost = m_document->cost(), groups = m_document->groups(), layer = selected,
            plan = m_document->plan(), scorer = m_document->scorer()](const JobToken&) {
            return inspectLayer(*model, cost->layers(), *groups, layer, plan, scorer);
        },
        [this](Result<LayerInspection> inspection) {
            if (!inspection) {
                m_inspector->clear();
                emit message(QString::fromStdString(inspection.error().message), statusTimeoutMs);
                return;
            }
            m_inspection = std::make_shared<LayerInspection>(std::move(*inspection));
            refresh(); // the plan may have changed while it ran
        });
}

void InspectorPane::refresh()
{
    if (!m_inspection || m_document->isEmpty())
        return;
    const int selected = m_document->selectedLayer();
    refreshInspection(*m_inspection, *m_document->model(), m_document->cost()->layers(), *m_document->groups(),
        m_document->plan(), m_document->scorer());
    m_inspector->setInspection(*m_inspection, m_document->plan().spec(m_inspection->name));
    // Explained only while shown: a factored layer's SVD is not free.
    if (m_explain->isVisible()) {
        const auto& stats = m_document->currentStats();
        const auto layer = static_cast<size_t>(selected);
        // The recovery of this very plan, when the worker has finished it.
        const RecoveryResult* recovery = m_recovery && m_recovery->plan() == m_document->plan() ? m_recovery->result() : nullptr;
        auto explanation = explainLayer(*m_document->model(), m_document->cost()->layers(), selected,
            m_document->plan().spec(m_inspection->name), *m_inspection,
            layer < stats.layers.size() ? &stats.layers[layer] : nullptr, m_document->activationStats().get(), recovery);
        if (explanation)
            m_explain->setExplanation(*explanation, QString::fromStdString(m_inspection->name));
        else
            m_explain->clearExplanation();
    }
}

void InspectorPane::editPrune(const PruneSpec& spec, bool dragging)
{
    const int selected = m_document->selectedLayer();
    if (selected < 0 || m_document->isEmpty())
        return;
    const auto& name = QString::fromStdString(m_document->cost()->layers()[static_cast<size_t>(selected)].name);
    QString text;
    if (spec.granularity == PruneGranularity::None)
        text = tr("Stop pruning %1").arg(name);
    else if (spec.mode == PruneMode::Ratio)
        text = spec.granularity == PruneGranularity::Filter ? tr("Prune %1 filters of %2").arg(format::percent(spec.value), name)
                                                            : tr("Prune %1 weights of %2").arg(format::percent(spec.value), name);
    else
        text = tr("Prune %1 below %2").arg(name).arg(spec.value, 0, 'g', 3);
    m_document->editPlan(withLayerPrune(m_document->plan(), m_document->cost()->layers(), *m_document->groups(), selected, spec),
        text, kPruneSliderKey + selected, dragging);
}

void InspectorPane::dragThreshold(double magnitude, bool dragging)
{
    const int selected = m_document->selectedLayer();
    if (selected < 0 || m_document->isEmpty())
        return;
    const Layer& layer = m_document->cost()->layers()[static_cast<size_t>(selected)];
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
    m_document->editPlan(m_document->plan().withPrune(layer.name, spec),
        tr("Prune weights of %1 below %2").arg(QString::fromStdString(layer.name)).arg(magnitude, 0, 'g', 3),
        kThresholdKey + selected, dragging);
}

void InspectorPane::createStep()
{
    // Step: the ratio walks up from 0, waiting at each step until the accuracy is measured.
    LayerControls* controls = m_inspector->controls();
    connect(controls, &LayerControls::stepRequested, this, [this](const PruneSpec& target) {
        if (m_document->selectedLayer() < 0 || m_document->isEmpty())
            return;
        m_stepper->start(m_document->selectedLayer(), target); // stops a running one first (finished(false))
        m_inspector->controls()->setStepping(m_stepper->isRunning());
    });
    connect(controls, &LayerControls::stepStopRequested, m_stepper, &RatioStepper::stop);
    connect(m_stepper, &RatioStepper::step, this, [this](int layer, const PruneSpec& spec, bool last) {
        if (m_document->isEmpty())
            return;
        const auto& name = QString::fromStdString(m_document->cost()->layers()[static_cast<size_t>(layer)].name);
        m_applyingStep = true;
        m_document->editPlan(withLayerPrune(m_document->plan(), m_document->cost()->layers(), *m_document->groups(), layer, spec),
            tr("Step %1 to %2").arg(name, format::percent(spec.value)), kStepKey + layer, !last);
        m_applyingStep = false;
        emit message(tr("Step: %1 at %2").arg(name, format::percent(spec.value)), 0);
    });
    connect(m_stepper, &RatioStepper::finished, this, [this](bool completed) {
        m_inspector->controls()->setStepping(false);
        const int layer = m_stepper->layer();
        if (completed || m_document->isEmpty() || static_cast<size_t>(layer) >= m_document->cost()->layers().size())
            return;
        // Close the animation's undo step where it stopped, so a later Step is a step of its own.
        const auto& name = QString::fromStdString(m_document->cost()->layers()[static_cast<size_t>(layer)].name);
        const double ratio = m_document->plan().spec(name.toStdString()).prune.value;
        m_applyingStep = true;
        m_document->editPlan(m_document->plan(), tr("Step %1 to %2").arg(name, format::percent(ratio)), kStepKey + layer, false);
        m_applyingStep = false;
        emit message(tr("Step stopped"), 3000);
    });
    connect(m_document, &Document::modelChanged, m_stepper, &RatioStepper::stop);
}

void InspectorPane::gatherActivations()
{
    if (m_document->isEmpty() || !m_document->dataset()) {
        m_activations->cancel();
        return;
    }
    // The same images the evaluation uses; 256 of them, as topiary-cli's --data default.
    m_activations->run(
        [model = m_document->model(), cost = m_document->cost(), dataset = m_document->dataset(),
            spec = m_document->preprocess()](const JobToken&) {
            return gatherActivationStats(*model, cost->layers(), *dataset, spec);
        },
        [this](Result<ActivationStats> stats) {
            if (m_document->isEmpty())
                return;
            if (!stats) {
                emit message(tr("APoZ is not available: %1").arg(QString::fromStdString(stats.error().message)), statusTimeoutMs);
                return;
            }
            m_document->setActivationStats(std::make_shared<const ActivationStats>(std::move(*stats)));
        });
}

} // namespace topiary
