#include "Document.h"

#include "PlanCommand.h"

#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Model.h"

#include <QFile>

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
    emit modelChanged();
}

void Document::editPlan(const Plan& plan, const QString& text, int mergeKey, bool open)
{
    if (!m_contents.stats)
        return;
    // A gesture's closing move may repeat the last value; it still has to close the step.
    if (plan == m_plan) {
        const auto* top = m_undo->index() > 0
            ? dynamic_cast<const PlanCommand*>(m_undo->command(m_undo->index() - 1)) : nullptr;
        if (open || mergeKey < 0 || !top || !top->isOpen() || top->id() != mergeKey)
            return;
    }
    m_undo->push(new PlanCommand(this, m_plan, plan, text, mergeKey, open));
}

void Document::showPlan(const Plan& plan)
{
    if (plan == m_plan || !m_contents.stats)
        return;
    m_plan = plan;
    m_current = m_contents.stats->compute(m_plan);
    emit planChanged();
}

Project Document::snapshot(const std::function<std::optional<HistoryEvaluation>(const Plan&)>& evaluationOf) const
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

} // namespace topiary
