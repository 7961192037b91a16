// The scroll area each dock's content sits in, so that every dock open still fits a
// 1366x768 screen: the content keeps the width it needs, and its height scrolls when
// the dock is shorter than the content.
#pragma once

#include <QScrollArea>
#include <QScrollBar>

#include <algorithm>

namespace topiary {

// A dock's content keeps the width it needs and scrolls vertically when the dock is
// shorter than the content: widths stay as the panels were designed, heights give.
class DockScrollArea : public QScrollArea {
public:
    explicit DockScrollArea(QWidget* parent)
        : QScrollArea(parent)
    {
        setWidgetResizable(true);
        setFrameShape(QFrame::NoFrame);
        setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    }
    QSize minimumSizeHint() const override
    {
        const QSize content = widget() ? widget()->minimumSizeHint() : QSize();
        return { content.width() + verticalScrollBar()->sizeHint().width(),
            std::min(content.height(), kShortestDock) };
    }
    QSize sizeHint() const override
    {
        const QSize content = widget() ? widget()->sizeHint() : QSize();
        return { content.width() + verticalScrollBar()->sizeHint().width(), content.height() };
    }

private:
    static constexpr int kShortestDock = 80; // pixels: a few rows stay visible
};

} // namespace topiary
