#include "Document.h"

#include "PlanCommand.h"

#include "core/analysis/LayerInspection.h"
#include "core/compress/TaylorScores.h"
#include "core/eval/ActivationStats.h"
#include "core/eval/EvaluationResult.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Model.h"
#include "core/plan/PlanCheck.h"
#include "core/report/HtmlReport.h"

#include <QFile>
#include <QFileInfo>

#include <cmath>

namespace topiary {

Document::Document(QObject* parent)
    : QObject(parent)
    , m_undo(new QUndoStack(this))
{
}

Document::~Document() = default;

void Document::setContents(LoadedModel contents)
{
    m_contents = std::move(contents);
    m_plan = Plan {};
    m_undo->clear(); // steps of another model's plans cannot be replayed on this one
    m_original = m_contents.stats ? m_contents.stats->compute(m_plan) : ModelStats {};
    m_current = m_original;
    m_selected = -1;
    // Counts, evaluations and trade-offs of the previous model are not this one's.
    m_activationStats.reset();
    m_taylorScores.reset();
    resetScorer();
    m_evaluated.clear();
    m_pareto.clear();
    m_paretoPlans.clear();
    emit modelChanged();
    emit paretoChanged();
}

bool Document::editPlan(const Plan& plan, const QString& text, int mergeKey, bool open)
{
    if (!m_contents.stats)
        return false;
    // A gesture's closing move may repeat the last value; it still has to close the step.
    if (plan == m_plan) {
        const auto* top = m_undo->index() > 0
            ? dynamic_cast<const PlanCommand*>(m_undo->command(m_undo->index() - 1)) : nullptr;
        if (open || mergeKey < 0 || !top || !top->isOpen() || top->id() != mergeKey)
            return true;
    } else if (const auto problems = validatePlan(plan, *m_contents.model, m_contents.cost->layers(), m_contents.groups.get());
               !problems.empty()) {
        emit planRefused(QString::fromStdString(problems.front().message));
        return false;
    }
    m_undo->push(new PlanCommand(this, m_plan, plan, text, mergeKey, open));
    return true;
}

void Document::setCalibratedRanges(const Plan& plan, const ActivationRanges& ranges)
{
    if (!(plan == m_plan))
        return;
    const Plan amended = plan.withActivationRanges(ranges);
    const int index = m_undo->index();
    for (int i : { index - 1, index })
        if (i >= 0 && i < m_undo->count())
            if (auto* command = dynamic_cast<PlanCommand*>(const_cast<QUndoCommand*>(m_undo->command(i))))
                command->amend(plan, amended);
    showPlan(amended);
}

void Document::showPlan(const Plan& plan)
{
    if (plan == m_plan || !m_contents.stats)
        return;
    m_plan = plan;
    m_current = m_contents.stats->compute(m_plan);
    emit planChanged();
}

Project Document::snapshot() const
{
    Project project;
    project.modelPath = QFile::encodeName(m_contents.path).toStdString();
    project.modelFingerprint = m_contents.fingerprint;
    project.plan = m_plan;
    for (int i = 0; i < m_undo->count(); ++i) {
        const auto* step = dynamic_cast<const PlanCommand*>(m_undo->command(i));
        if (!step)
            continue;
        project.history.push_back(HistoryEntry { step->after(), step->text().toStdString(), evaluationOf(step->after()) });
    }
    project.current = m_undo->index() - 1;
    if (!m_datasetPath.isEmpty()) {
        project.datasetPath = QFile::encodeName(m_datasetPath).toStdString();
        project.preprocess = m_preprocess;
    }
    return project;
}

void Document::restore(const Project& project)
{
    if (!m_contents.stats)
        return;
    m_undo->clear();
    Plan previous = m_plan;
    for (const HistoryEntry& entry : project.history) {
        m_undo->push(new PlanCommand(this, previous, entry.plan, QString::fromStdString(entry.label), -1, false));
        previous = entry.plan;
    }
    m_undo->setIndex(static_cast<int>(project.current + 1));
    if (!(project.plan == m_plan))
        editPlan(project.plan, tr("Unrecorded edits"));
    m_undo->setClean();
}

void Document::setDataset(Dataset dataset, PreprocessSpec spec, const QString& path, const QString& preprocessFrom)
{
    m_dataset = std::make_shared<const Dataset>(std::move(dataset));
    m_preprocess = std::move(spec);
    m_datasetPath = path;
    m_preprocessFrom = preprocessFrom;
    m_evaluated.clear(); // measured on other images
    emit datasetChanged();
    emit evaluationsChanged();
}

void Document::clearDataset()
{
    if (!m_dataset)
        return;
    m_dataset.reset();
    m_preprocess = PreprocessSpec {};
    m_datasetPath.clear();
    m_preprocessFrom.clear();
    m_evaluated.clear(); // measured on other images
    emit datasetChanged();
    emit evaluationsChanged();
}

void Document::selectLayer(int layer)
{
    if (isEmpty() || layer < 0 || layer >= static_cast<int>(m_contents.cost->layers().size()))
        layer = -1;
    if (layer == m_selected)
        return;
    m_selected = layer;
    emit selectionChanged(layer);
}

void Document::setActivationStats(std::shared_ptr<const ActivationStats> stats)
{
    m_activationStats = std::move(stats);
    resetScorer();
    emit activationStatsChanged();
}

void Document::setTaylorScores(std::shared_ptr<const TaylorScores> scores)
{
    m_taylorScores = std::move(scores);
    resetScorer();
    emit taylorScoresChanged();
}

void Document::recordFinetuned(const Plan& plan, double top1, int64_t images, const QString& file)
{
    if (isEmpty() || images <= 0)
        return;
    const ModelStats stats = m_contents.stats->compute(plan);
    const Estimate accuracy = wilsonInterval(static_cast<int64_t>(std::llround(top1 * static_cast<double>(images))), images);
    const int id = static_cast<int>(m_paretoPlans.size());
    m_paretoPlans.push_back(plan);
    const QString summary = plan.empty() ? tr("original") : QString::fromStdString(planSummary(plan, m_contents.cost->layers()));
    m_pareto.add({ id, accuracy, stats.encodedBytes, stats.effectiveMacs, tr("fine-tuned: %1").arg(summary).toStdString() });
    emit paretoChanged();
    // A step of the history that keeps the plan: the undo view lists what was done.
    m_undo->push(new PlanCommand(this, m_plan, m_plan,
        tr("Fine-tuned: %1 top-1 → %2").arg(QString::number(100.0 * top1, 'f', 1) + QStringLiteral(" %"), QFileInfo(file).fileName()),
        -1, false));
}

void Document::resetScorer()
{
    if (isEmpty()) {
        m_scorer = {};
        return;
    }
    FilterScorer weights = weightScorer(*m_contents.model, m_contents.cost->layers());
    if (m_taylorScores)
        weights = taylorScorer(*m_taylorScores, m_contents.cost->layers(), std::move(weights));
    m_scorer = cachedScorer(m_activationStats ? activationScorer(*m_activationStats, std::move(weights)) : std::move(weights));
}

void Document::recordEvaluation(const Plan& plan, const EvaluationMetrics& metrics)
{
    // Only the shown plan's stats are at hand; an older plan's result arrives only when stale.
    // The shown plan measured as compressed (without its recovery) and as recovered are
    // two points of the same cost.
    if (isEmpty() || !(plan.withRecovery(m_plan.recovery()) == m_plan))
        return;
    const ModelStats& stats = m_current;
    if (metrics.labelled > 0) {
        m_evaluated.emplace_back(plan, HistoryEvaluation { metrics.top1(), stats.encodedBytes, stats.linearMacs });
        emit evaluationsChanged();
    }
    int id = -1;
    for (size_t i = 0; i < m_paretoPlans.size(); ++i)
        if (m_paretoPlans[i] == plan)
            id = static_cast<int>(i);
    if (id < 0) {
        id = static_cast<int>(m_paretoPlans.size());
        m_paretoPlans.push_back(plan);
    }
    const Estimate accuracy = metrics.labelled > 0 ? metrics.top1() : metrics.agreement();
    const std::string label = plan.empty() ? tr("original").toStdString() : planSummary(plan, m_contents.cost->layers());
    m_pareto.add({ id, accuracy, stats.encodedBytes, stats.effectiveMacs, label, plan.recovery().any() });
    emit paretoChanged();
}

void Document::addEvaluation(const Plan& plan, const HistoryEvaluation& evaluation)
{
    m_evaluated.emplace_back(plan, evaluation);
    emit evaluationsChanged();
}

std::optional<HistoryEvaluation> Document::evaluationOf(const Plan& plan) const
{
    for (auto it = m_evaluated.rbegin(); it != m_evaluated.rend(); ++it)
        if (it->first == plan)
            return it->second;
    return std::nullopt;
}

int Document::currentParetoPoint() const
{
    int current = -1;
    for (size_t i = 0; i < m_paretoPlans.size(); ++i)
        if (m_paretoPlans[i] == m_plan)
            current = static_cast<int>(i);
    return current;
}

} // namespace topiary
