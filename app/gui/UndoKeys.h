// Ctrl+Z and Ctrl+Shift+Z undo and redo the plan from any focus in a window. A number box
// would take them for its own text, which after Enter is already the plan's: undoing it
// would only put back digits the plan no longer has. So, in the window's number boxes,
// the keys are left to the window's Undo and Redo actions.
#pragma once

#include <QObject>

class QWidget;

namespace topiary {

class UndoKeys : public QObject {
    Q_OBJECT

public:
    // Watches the application's events for `window`'s widgets; a child of `window`.
    explicit UndoKeys(QWidget* window);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QWidget* m_window;
};

} // namespace topiary
