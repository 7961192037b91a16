// Edit > Undo and Redo, named after the step they undo or redo ("Undo Prune conv1 30 %")
// in the window's language. QUndoStack's own actions take their "Undo %1" from Qt's
// translations (qtbase_*.qm), which are often not installed: after a switch to Chinese
// the menu stayed English. These take every word from tr(), and retranslate live.
#pragma once

#include <QObject>

class QAction;
class QUndoStack;
class QWidget;

namespace topiary {

class UndoActions : public QObject {
    Q_OBJECT

public:
    // The actions are children of `window`, with the platform's Undo and Redo keys.
    UndoActions(QUndoStack* stack, QWidget* window);

    QAction* undo() const { return m_undo; }
    QAction* redo() const { return m_redo; }
    // Texts in the current language (the window calls it on LanguageChange).
    void retranslateUi();

private:
    QUndoStack* m_stack;
    QAction* m_undo;
    QAction* m_redo;
};

} // namespace topiary
