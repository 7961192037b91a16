#include "UndoActions.h"

#include <QAction>
#include <QUndoStack>
#include <QWidget>

namespace topiary {

UndoActions::UndoActions(QUndoStack* stack, QWidget* window)
    : QObject(window)
    , m_stack(stack)
    , m_undo(new QAction(window))
    , m_redo(new QAction(window))
{
    m_undo->setObjectName(QStringLiteral("undoAction"));
    m_redo->setObjectName(QStringLiteral("redoAction"));
    m_undo->setShortcut(QKeySequence::Undo);
    m_redo->setShortcut(QKeySequence::Redo);
    m_undo->setEnabled(stack->canUndo());
    m_redo->setEnabled(stack->canRedo());
    connect(m_undo, &QAction::triggered, stack, &QUndoStack::undo);
    connect(m_redo, &QAction::triggered, stack, &QUndoStack::redo);
    connect(stack, &QUndoStack::canUndoChanged, m_undo, &QAction::setEnabled);
    connect(stack, &QUndoStack::canRedoChanged, m_redo, &QAction::setEnabled);
    connect(stack, &QUndoStack::undoTextChanged, this, &UndoActions::retranslateUi);
    connect(stack, &QUndoStack::redoTextChanged, this, &UndoActions::retranslateUi);
    retranslateUi();
}

void UndoActions::retranslateUi()
{
    const QString undo = m_stack->undoText();
    const QString redo = m_stack->redoText();
    m_undo->setText(undo.isEmpty() ? tr("&Undo") : tr("&Undo %1").arg(undo));
    m_redo->setText(redo.isEmpty() ? tr("&Redo") : tr("&Redo %1").arg(redo));
    m_undo->setStatusTip(tr("Take back the last change of the plan"));
    m_redo->setStatusTip(tr("Make the change taken back again"));
}

} // namespace topiary
