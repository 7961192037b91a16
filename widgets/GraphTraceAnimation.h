// GraphView's filter-removal animation: the first box pulses, then a glowing dot runs
// along the arrows hop by hop; every box it reaches keeps a red outline and a tag, and a
// caption strip over the view says what the current hop removes: at the top, or at the
// bottom when at the top it would hide a box the hop reached. Driven by one time
// value (seconds), so a test or a screenshot can freeze any moment with setTime().
// Owned by GraphView; the boxes' own pixmap caches are only invalidated when a box is
// reached, the moving parts are drawn by one uncached overlay item.
#pragma once

#include "widgets/TraceFrame.h"

#include <QObject>
#include <QPainterPath>
#include <QRectF>

#include <vector>

class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QVariantAnimation;

namespace topiary {

class GraphEdgeItem;
class GraphNodeItem;
class TraceOverlayItem;

class GraphTraceAnimation : public QObject {
    Q_OBJECT

public:
    static constexpr double kPulse = 0.6; // seconds the first box pulses before the dot leaves
    static constexpr double kHop = 0.6; // seconds per hop
    static constexpr double kLinger = 0.8; // the last hop stays in the caption before "done"

    GraphTraceAnimation(QGraphicsView* view, QGraphicsScene* scene);
    ~GraphTraceAnimation() override;

    // Starts from time 0 and plays (animate) or stays at 0 until setTime().
    void start(const std::vector<TraceFrame>& frames, const std::vector<GraphNodeItem*>& nodes,
        const std::vector<GraphEdgeItem*>& edges, bool animate);
    // Removes every mark, the overlay and the caption; emits stopped() if it was active.
    void stop();
    // Freezes the animation at t seconds (clamped to [0, duration()]).
    void setTime(double seconds);

    bool isActive() const { return m_active; }
    bool isRunning() const; // active and the clock is moving
    double time() const { return m_time; }
    double duration() const;
    int stageCount() const { return static_cast<int>(m_stageBoxes.size()); }
    double stageTime(int stage) const; // when boxes of that stage (0 = the first) are reached
    // Boxes (GraphLayout node indices) marked at the current time, in the order reached.
    std::vector<int> markedNodes() const;
    QString caption() const;
    const QLabel* captionLabel() const { return m_caption; }
    // Lays the strip across the viewport's top or bottom edge, clear of the boxes of the
    // hop it describes; the view calls it when it is resized, scrolled or zoomed.
    void placeCaption();

signals:
    void stopped();

private:
    struct Box {
        int node = -1;
        int stage = 0;
        QString tag;
        QColor color;
        QStringList captions;
        int from = -1;
        QPainterPath path; // how the dot arrives, from a box of an earlier stage; empty for stage 0
    };

    void apply(double t, bool pan);
    QString stageCaption(int stage) const;
    QRectF boxRect(int node) const;
    // How much of the boxes the caption describes a strip at `strip` (view coordinates) covers.
    qint64 coveredArea(const QRect& strip) const;

    QGraphicsView* m_view;
    QGraphicsScene* m_scene;
    QLabel* m_caption;
    QVariantAnimation* m_clock;
    TraceOverlayItem* m_overlay = nullptr;
    std::vector<GraphNodeItem*> m_nodes; // the view's, by layout index
    std::vector<Box> m_boxes; // by stage, then first frame
    std::vector<std::vector<int>> m_stageBoxes; // indices into m_boxes per stage
    bool m_active = false;
    double m_time = 0;
    int m_shownStage = -2;
    bool m_captionAtBottom = false;
};

} // namespace topiary
