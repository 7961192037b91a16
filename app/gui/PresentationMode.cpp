#include "PresentationMode.h"

#include "widgets/GraphView.h"
#include "widgets/PlotStyle.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QMainWindow>

namespace topiary {

namespace {
// Presentation mode: text this much larger, lines and markers this much thicker.
constexpr double kPresentationFont = 1.3;
constexpr double kPresentationLines = 2.0;
} // namespace

PresentationMode::PresentationMode(QMainWindow* window, GraphView* graph, QList<QDockWidget*> hidden,
    QDockWidget* totals, QDockWidget* inspector)
    : QObject(window)
    , m_window(window)
    , m_graph(graph)
    , m_hidden(std::move(hidden))
    , m_totals(totals)
    , m_inspector(inspector)
{
    m_action = new QAction(window);
    m_action->setObjectName(QStringLiteral("presentationAction"));
    m_action->setCheckable(true);
    m_action->setShortcut(QKeySequence(Qt::Key_F5));
    connect(m_action, &QAction::toggled, this, &PresentationMode::setOn);
    // Esc leaves presentation mode too, but only then: elsewhere Esc belongs to the widgets.
    m_leaveAction = new QAction(window);
    m_leaveAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_leaveAction->setEnabled(false);
    connect(m_leaveAction, &QAction::triggered, this, [this] { setOn(false); });
    window->addAction(m_leaveAction);
    retranslateUi();
}

void PresentationMode::retranslateUi()
{
    m_action->setText(tr("&Presentation Mode"));
    m_action->setStatusTip(tr("Full screen with larger text and thicker lines, for showing to a room"));
}

// Two zoom steps (1.25² ≈ 1.56) about the middle of what is shown, not the mouse.
void PresentationMode::zoomGraphKeepingCentre(bool in)
{
    const QPointF centre = m_graph->mapToScene(m_graph->viewport()->rect().center());
    for (int i = 0; i < 2; ++i)
        in ? m_graph->zoomIn() : m_graph->zoomOut();
    m_graph->centerOn(centre);
}

void PresentationMode::setOn(bool on)
{
    if (on == m_on)
        return;
    m_on = on;
    {
        const QSignalBlocker block(m_action);
        m_action->setChecked(on);
    }
    m_leaveAction->setEnabled(on);
    if (on) {
        m_normalFont = QApplication::font();
        m_normalWindowState = m_window->windowState();
        m_normalDocks = m_window->saveState();
        m_normalGeometry = m_window->saveGeometry();
        QFont large = m_normalFont;
        if (large.pointSizeF() > 0)
            large.setPointSizeF(large.pointSizeF() * kPresentationFont);
        else
            large.setPixelSize(qRound(large.pixelSize() * kPresentationFont));
        // The graph's boxes were laid out for the normal font: it keeps that font and is
        // zoomed instead, so its labels grow without outgrowing their boxes.
        QFont pinned = m_normalFont; // explicit size and family, or the view would still inherit
        pinned.setFamilies(m_normalFont.families());
        if (m_normalFont.pointSizeF() > 0)
            pinned.setPointSizeF(m_normalFont.pointSizeF());
        else
            pinned.setPixelSize(m_normalFont.pixelSize());
        m_graph->setFont(pinned);
        QApplication::setFont(large);
        plotstyle::setLineScale(kPresentationLines);
        zoomGraphKeepingCentre(true);
        // The room sees the graph, the totals and the inspector; the other docks wait.
        for (QDockWidget* dock : m_hidden)
            dock->hide();
        m_totals->raise();
        m_window->showFullScreen();
        const int side = m_window->width() * 2 / 5;
        m_window->resizeDocks({ m_totals, m_inspector }, { side, side }, Qt::Horizontal);
        const int totals = m_totals->sizeHint().height();
        m_window->resizeDocks({ m_totals, m_inspector }, { totals, m_window->height() - totals }, Qt::Vertical);
        emit message(tr("Presentation mode: F5 or Esc to leave"), 5000);
    } else {
        QApplication::setFont(m_normalFont);
        m_graph->setFont(QFont()); // follows the application's font again
        plotstyle::setLineScale(1.0);
        zoomGraphKeepingCentre(false);
        m_window->setWindowState(m_normalWindowState & ~Qt::WindowFullScreen);
        if (!(m_normalWindowState & (Qt::WindowMaximized | Qt::WindowFullScreen)))
            m_window->showNormal();
        m_window->restoreState(m_normalDocks);
    }
}

} // namespace topiary
