// One undoable edit of the plan. The undo stack stores plans, never widget state: undo
// puts the plan from before the edit back into the Document, redo the one after it.
// Consecutive moves of one control (a slider being dragged) carry the same merge key and
// become one step; the step closes when the gesture ends, so the next drag is a new step.
#pragma once

#include "core/plan/Plan.h"

#include <QUndoCommand>

namespace topiary {

class Document;

class PlanCommand : public QUndoCommand {
public:
    // mergeKey < 0: never merged. open: more moves of this gesture may follow.
    PlanCommand(Document* document, Plan before, Plan after, const QString& text, int mergeKey, bool open);

    void undo() override;
    void redo() override;
    int id() const override { return m_mergeKey; }
    bool mergeWith(const QUndoCommand* other) override;

    const Plan& before() const { return m_before; }
    const Plan& after() const { return m_after; }
    bool isOpen() const { return m_open; }
    // Calibrated activation ranges arrived for `plan`: the before or after plan equal to it
    // becomes `amended`, so undo and redo bring back the calibrated plan.
    void amend(const Plan& plan, const Plan& amended);

private:
    Document* m_document;
    Plan m_before;
    Plan m_after;
    int m_mergeKey;
    bool m_open;
};

} // namespace topiary
