#include "Document.h"

#include "PlanCommand.h"

#include "core/CostModel.h"
#include "core/DependencyGroups.h"
#include "core/Model.h"

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

} // namespace topiary
