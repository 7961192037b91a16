#include "PlanCommand.h"

#include "Document.h"

namespace topiary {

PlanCommand::PlanCommand(Document* document, Plan before, Plan after, const QString& text, int mergeKey, bool open)
    : m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
    , m_mergeKey(mergeKey)
    , m_open(open)
{
    setText(text);
}

void PlanCommand::undo()
{
    m_document->showPlan(m_before);
}

void PlanCommand::redo()
{
    m_document->showPlan(m_after);
}

void PlanCommand::amend(const Plan& plan, const Plan& amended)
{
    if (m_before == plan)
        m_before = amended;
    if (m_after == plan)
        m_after = amended;
}

bool PlanCommand::mergeWith(const QUndoCommand* other)
{
    // QUndoStack only offers commands with the same id(); a closed gesture takes no more.
    if (!m_open || other->id() != m_mergeKey)
        return false;
    const auto* next = static_cast<const PlanCommand*>(other);
    m_after = next->m_after;
    m_open = next->m_open;
    setText(next->text());
    // A drag that ends where it began leaves nothing to undo.
    if (m_after == m_before && !m_open)
        setObsolete(true);
    return true;
}

} // namespace topiary
