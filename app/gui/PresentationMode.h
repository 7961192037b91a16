// View > Presentation Mode (F5; Esc leaves it too): full screen, text 1.3 times larger,
// plot lines twice as thick, the graph zoomed rather than re-laid out, and only the graph,
// the totals and the inspector shown, for a class or a meeting room. Leaving restores the
// window, its docks and the fonts as they were.
#pragma once

#include <QByteArray>
#include <QFont>
#include <QList>
#include <QObject>

class QAction;
class QDockWidget;
class QMainWindow;

namespace topiary {

class GraphView;

class PresentationMode : public QObject {
    Q_OBJECT

public:
    // `hidden`: the docks the room does not see; totals and inspector share the side.
    PresentationMode(QMainWindow* window, GraphView* graph, QList<QDockWidget*> hidden, QDockWidget* totals,
        QDockWidget* inspector);

    // Checkable, F5; the window puts it in its View menu.
    QAction* action() const { return m_action; }
    void setOn(bool on);
    bool isOn() const { return m_on; }
    // The window's state and geometry as they were before (for the settings).
    const QByteArray& normalState() const { return m_normalDocks; }
    const QByteArray& normalGeometry() const { return m_normalGeometry; }
    void retranslateUi();

signals:
    void message(const QString& text, int timeoutMs);

private:
    void zoomGraphKeepingCentre(bool in);

    QMainWindow* m_window;
    GraphView* m_graph;
    QList<QDockWidget*> m_hidden;
    QDockWidget* m_totals;
    QDockWidget* m_inspector;
    QAction* m_action = nullptr;
    QAction* m_leaveAction = nullptr;
    bool m_on = false;
    QFont m_normalFont;
    QByteArray m_normalDocks;
    QByteArray m_normalGeometry;
    Qt::WindowStates m_normalWindowState;
};

} // namespace topiary
