// Tells a click from a drag on a plot: a left press and a release within a few pixels of
// it. QCustomPlot reports presses and releases separately, and the plots that select
// something on a click (overview rows, sensitivity curves, Pareto points) all need this.
#pragma once

#include <QMouseEvent>
#include <QPoint>

#include <optional>

namespace topiary {

class ClickTracker {
public:
    static constexpr int kSlop = 4; // px a press may move and still count as a click

    void press(const QMouseEvent* event)
    {
        m_pressed = event->button() == Qt::LeftButton;
        m_pressPos = event->position().toPoint();
    }

    // Where the click was, when this release ends one.
    std::optional<QPoint> release(const QMouseEvent* event)
    {
        if (!m_pressed || event->button() != Qt::LeftButton)
            return std::nullopt;
        m_pressed = false;
        const QPoint pos = event->position().toPoint();
        if ((pos - m_pressPos).manhattanLength() > kSlop)
            return std::nullopt;
        return pos;
    }

private:
    QPoint m_pressPos;
    bool m_pressed = false;
};

} // namespace topiary
