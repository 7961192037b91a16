#include "widgets/GraphTraceAnimation.h"

#include "widgets/GraphEdgeItem.h"
#include "widgets/GraphNodeItem.h"

#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QLabel>
#include <QPainter>
#include <QRadialGradient>
#include <QVariantAnimation>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace topiary {

namespace {

const QColor kTrail(0xd6, 0x27, 0x28);
constexpr int kCaptionMargin = 6;
constexpr int kMaxCaptions = 4;

} // namespace

// The moving parts: the pulse around the first boxes, the trails of arrows already
// travelled and the dots on their way. Uncached and redrawn every tick; its bounds follow
// what it draws so each tick repaints only that part of the view.
class TraceOverlayItem : public QGraphicsItem {
public:
    TraceOverlayItem() { setZValue(5); }

    struct State {
        std::vector<QRectF> pulse; // boxes to ring
        double pulsePhase = -1; // 0..1, < 0 for no pulse
        std::vector<QPainterPath> trails; // travelled, whole or in part
        std::vector<QPointF> dots;
        double dotRadius = 7;
    };

    void setState(State state)
    {
        QRectF bounds;
        const double r = state.dotRadius * 2.2;
        for (const auto& p : state.dots)
            bounds |= QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r);
        for (const auto& t : state.trails)
            bounds |= t.boundingRect().adjusted(-4, -4, 4, 4);
        for (const auto& b : state.pulse)
            bounds |= b.adjusted(-24, -24, 24, 24);
        update(); // the old area
        if (bounds != m_bounds) {
            prepareGeometryChange();
            m_bounds = bounds;
        }
        m_state = std::move(state);
        update();
    }

    QRectF boundingRect() const override { return m_bounds; }

    void paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) override
    {
        painter->setRenderHint(QPainter::Antialiasing, true);
        const QTransform& t = painter->worldTransform();
        const qreal scale = std::max(0.01, std::sqrt(std::abs(t.determinant())));
        // At least ~2.5 px wide however far the view is zoomed out.
        QPen trail(QColor(kTrail.red(), kTrail.green(), kTrail.blue(), 150), std::max(3.0, 2.5 / scale));
        trail.setCapStyle(Qt::RoundCap);
        painter->setPen(trail);
        painter->setBrush(Qt::NoBrush);
        for (const auto& p : m_state.trails)
            painter->drawPath(p);
        if (m_state.pulsePhase >= 0) {
            const qreal grow = 4 + 18 * m_state.pulsePhase;
            QColor c = kTrail;
            c.setAlphaF(float(1.0 - m_state.pulsePhase));
            painter->setPen(QPen(c, std::max(3.0, 2.5 / scale)));
            for (const auto& b : m_state.pulse)
                painter->drawRoundedRect(b.adjusted(-grow, -grow, grow, grow), 6 + grow / 2, 6 + grow / 2);
        }
        painter->setPen(Qt::NoPen);
        const double r = m_state.dotRadius;
        for (const auto& p : m_state.dots) {
            QRadialGradient glow(p, r * 2.2);
            glow.setColorAt(0, QColor(0xff, 0xf0, 0xa0));
            glow.setColorAt(0.35, QColor(0xff, 0x70, 0x30, 230));
            glow.setColorAt(1, QColor(0xd6, 0x27, 0x28, 0));
            painter->setBrush(glow);
            painter->drawEllipse(p, r * 2.2, r * 2.2);
        }
    }

private:
    State m_state;
    QRectF m_bounds;
};

GraphTraceAnimation::GraphTraceAnimation(QGraphicsView* view, QGraphicsScene* scene)
    : QObject(view)
    , m_view(view)
    , m_scene(scene)
    , m_caption(new QLabel(view))
    , m_clock(new QVariantAnimation(this))
{
    m_caption->setWordWrap(true);
    m_caption->setTextFormat(Qt::PlainText);
    // Dark on any theme: it floats over boxes of every colour.
    m_caption->setStyleSheet(
        QStringLiteral("QLabel { background: rgba(48, 48, 48, 235); color: white; padding: %1px; }")
            .arg(kCaptionMargin));
    QFont bold = m_caption->font();
    bold.setBold(true);
    m_caption->setFont(bold);
    m_caption->setToolTip(
        tr("What the current hop of the trace removes. Press Esc or click the graph to clear the trace."));
    m_caption->hide();
    m_clock->setEasingCurve(QEasingCurve::Linear);
    connect(m_clock, &QVariantAnimation::valueChanged, this, [this](const QVariant& v) {
        if (m_clock->state() == QAbstractAnimation::Running)
            apply(v.toDouble(), true);
    });
}

GraphTraceAnimation::~GraphTraceAnimation() = default;

double GraphTraceAnimation::stageTime(int stage) const
{
    return stage <= 0 ? 0.0 : kPulse + stage * kHop;
}

double GraphTraceAnimation::duration() const
{
    return m_stageBoxes.empty() ? 0.0 : stageTime(stageCount() - 1) + kLinger;
}

bool GraphTraceAnimation::isRunning() const
{
    return m_active && m_clock->state() == QAbstractAnimation::Running;
}

QRectF GraphTraceAnimation::boxRect(int node) const
{
    const GraphNodeItem* item = m_nodes[static_cast<size_t>(node)];
    return item->mapRectToScene(item->box());
}

void GraphTraceAnimation::start(const std::vector<TraceFrame>& frames, const std::vector<GraphNodeItem*>& nodes,
    const std::vector<GraphEdgeItem*>& edges, bool animate)
{
    stop();
    m_nodes = nodes;
    // One entry per box: its earliest hop, the first frame's tag, every caption.
    std::map<int, size_t> boxOf;
    std::vector<Box> boxes;
    std::vector<int> hops;
    for (const auto& f : frames) {
        if (f.node < 0 || static_cast<size_t>(f.node) >= nodes.size())
            continue;
        auto [it, added] = boxOf.try_emplace(f.node, boxes.size());
        if (added) {
            boxes.push_back(Box { f.node, f.hop, f.tag, f.color, { f.caption }, f.from, {} });
            hops.push_back(f.hop);
            continue;
        }
        Box& b = boxes[it->second];
        b.captions << f.caption;
        if (f.hop < hops[it->second]) {
            hops[it->second] = f.hop;
            b.tag = f.tag;
            b.color = f.color;
            b.from = f.from;
        }
    }
    if (boxes.empty())
        return;
    // Hops renumbered 0, 1, 2...: folded boxes of a compact layout leave gaps.
    std::vector<int> distinct = hops;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (size_t i = 0; i < boxes.size(); ++i)
        boxes[i].stage
            = static_cast<int>(std::lower_bound(distinct.begin(), distinct.end(), hops[i]) - distinct.begin());
    std::stable_sort(boxes.begin(), boxes.end(), [](const Box& a, const Box& b) { return a.stage < b.stage; });
    m_stageBoxes.assign(distinct.size(), {});
    std::map<int, int> stageOfNode;
    for (size_t i = 0; i < boxes.size(); ++i) {
        m_stageBoxes[static_cast<size_t>(boxes[i].stage)].push_back(static_cast<int>(i));
        stageOfNode[boxes[i].node] = boxes[i].stage;
    }
    m_boxes = std::move(boxes);

    // The dot's way into each box: an arrow from a box reached just before (either
    // direction: a residual partner lies upstream of the Add), else a straight flight
    // from the nearest box of the previous stage.
    for (auto& b : m_boxes) {
        if (b.stage == 0)
            continue;
        const GraphEdgeItem* best = nullptr;
        int bestStage = -1;
        auto fromIt = stageOfNode.find(b.from);
        const bool knownFrom = fromIt != stageOfNode.end() && fromIt->second < b.stage;
        for (const auto* e : edges) {
            const int other = e->to() == b.node ? e->from() : e->from() == b.node ? e->to() : -1;
            auto it = stageOfNode.find(other);
            if (other < 0 || it == stageOfNode.end() || it->second >= b.stage || it->second <= bestStage)
                continue;
            if (knownFrom && other != b.from)
                continue;
            best = e;
            bestStage = it->second;
        }
        if (best) {
            const QPainterPath p = best->mapToScene(best->path());
            b.path = best->to() == b.node ? p : p.toReversed();
            continue;
        }
        const QPointF target = boxRect(b.node).center();
        if (knownFrom) {
            b.path = QPainterPath(boxRect(b.from).center());
            b.path.lineTo(target);
            continue;
        }
        QPointF from = target;
        double nearest = std::numeric_limits<double>::max();
        for (int prev : m_stageBoxes[static_cast<size_t>(b.stage - 1)]) {
            const QPointF c = boxRect(m_boxes[static_cast<size_t>(prev)].node).center();
            const double d = std::hypot(c.x() - target.x(), c.y() - target.y());
            if (d < nearest) {
                nearest = d;
                from = c;
            }
        }
        b.path = QPainterPath(from);
        b.path.lineTo(target);
    }

    m_active = true;
    m_overlay = new TraceOverlayItem;
    m_scene->addItem(m_overlay);
    m_caption->show();
    m_caption->raise();
    m_shownStage = -2;
    apply(0, true);
    if (animate) {
        m_clock->setStartValue(0.0);
        m_clock->setEndValue(duration());
        m_clock->setDuration(static_cast<int>(std::lround(duration() * 1000)));
        m_clock->start();
    }
}

void GraphTraceAnimation::stop()
{
    m_clock->stop();
    const bool was = m_active;
    for (const auto& b : m_boxes)
        if (static_cast<size_t>(b.node) < m_nodes.size())
            m_nodes[static_cast<size_t>(b.node)]->setTraceMark(QString());
    if (m_overlay) {
        m_scene->removeItem(m_overlay);
        delete m_overlay;
        m_overlay = nullptr;
    }
    m_boxes.clear();
    m_stageBoxes.clear();
    m_nodes.clear();
    m_caption->hide();
    m_caption->clear();
    m_captionAtBottom = false;
    m_active = false;
    m_time = 0;
    if (was)
        emit stopped();
}

void GraphTraceAnimation::setTime(double seconds)
{
    if (!m_active)
        return;
    m_clock->stop();
    apply(std::clamp(seconds, 0.0, duration()), true);
}

std::vector<int> GraphTraceAnimation::markedNodes() const
{
    std::vector<int> out;
    for (const auto& b : m_boxes)
        if (stageTime(b.stage) <= m_time)
            out.push_back(b.node);
    return out;
}

QString GraphTraceAnimation::caption() const
{
    return m_caption->text();
}

QString GraphTraceAnimation::stageCaption(int stage) const
{
    QStringList parts;
    int total = 0;
    for (int i : m_stageBoxes[static_cast<size_t>(stage)])
        for (const auto& c : m_boxes[static_cast<size_t>(i)].captions) {
            if (total++ < kMaxCaptions)
                parts << c;
        }
    QString text = parts.join(QStringLiteral("  ·  "));
    if (total > kMaxCaptions)
        text += tr(" … and %n more", nullptr, total - kMaxCaptions);
    if (stage == 0)
        return tr("Removing %1").arg(text);
    return tr("Hop %1 of %2: %3").arg(stage).arg(stageCount() - 1).arg(text);
}

void GraphTraceAnimation::apply(double t, bool pan)
{
    m_time = t;
    const double end = duration();
    const bool done = t >= end - 1e-9 && stageCount() > 0;
    int reached = 0;
    for (int s = 0; s < stageCount(); ++s)
        if (stageTime(s) <= t)
            reached = s;

    for (const auto& b : m_boxes) {
        auto* item = m_nodes[static_cast<size_t>(b.node)];
        item->setTraceMark(stageTime(b.stage) <= t ? b.tag : QString(), b.color);
    }

    TraceOverlayItem::State state;
    const double scale = std::max(0.01, m_view->transform().m11());
    state.dotRadius = std::max(6.0, 7.0 / scale);
    if (t < kPulse) {
        state.pulsePhase = std::fmod(t / (kPulse / 2), 1.0);
        for (int i : m_stageBoxes.front())
            state.pulse.push_back(boxRect(m_boxes[static_cast<size_t>(i)].node));
    }
    QRectF front;
    for (const auto& b : m_boxes) {
        if (b.stage == 0 || b.path.isEmpty())
            continue;
        const double arrive = stageTime(b.stage);
        const double leave = arrive - kHop;
        if (t >= arrive) {
            state.trails.push_back(b.path);
        } else if (t >= leave) {
            const double f = (t - leave) / kHop;
            // The travelled part of the arrow, then the dot at its head.
            QPainterPath part(b.path.pointAtPercent(0));
            constexpr int kSteps = 24;
            for (int i = 1; i <= kSteps; ++i)
                part.lineTo(b.path.pointAtPercent(std::min(1.0, f * i / kSteps)));
            state.trails.push_back(part);
            const QPointF p = b.path.pointAtPercent(f);
            state.dots.push_back(p);
            front |= QRectF(p.x() - 1, p.y() - 1, 2, 2);
        }
    }
    if (m_overlay)
        m_overlay->setState(std::move(state));

    const int shown = done ? -1 : reached;
    if (shown != m_shownStage) {
        m_shownStage = shown;
        if (done)
            m_caption->setText(
                tr("Boxes that lose this channel: %1. Press Esc or click the graph to clear.").arg(m_boxes.size()));
        else
            m_caption->setText(stageCaption(reached));
        if (front.isNull())
            for (int i : m_stageBoxes[static_cast<size_t>(reached)])
                front |= boxRect(m_boxes[static_cast<size_t>(i)].node);
    }
    if (pan && !front.isNull() && !done) {
        // Keep the front of the animation in sight; a front wider than the view shows its start.
        // The caption strip covers an edge of the viewport: what is under it is not in sight.
        const int strip = m_caption->isHidden() ? 0 : m_caption->heightForWidth(m_view->viewport()->width());
        const QRect free = m_view->viewport()->rect().adjusted(
            0, m_captionAtBottom ? 0 : strip, 0, m_captionAtBottom ? -strip : 0);
        const QRectF visible = m_view->mapToScene(free).boundingRect();
        if (!visible.contains(front)) {
            if (front.width() > visible.width() * 0.8 || front.height() > visible.height() * 0.8)
                front = QRectF(front.topLeft(), QSizeF(1, 1));
            m_view->ensureVisible(front, 60, 60 + strip);
        }
    }
    // After any pan: the strip goes where it hides none of the boxes it describes.
    placeCaption();
}

qint64 GraphTraceAnimation::coveredArea(const QRect& strip) const
{
    const QPoint origin = m_view->viewport()->pos();
    qint64 area = 0;
    auto cover = [&](const Box& b) {
        const GraphNodeItem* item = m_nodes[static_cast<size_t>(b.node)];
        // The box with its outline and its tag, as drawn now.
        const QRect drawn = m_view->mapFromScene(item->sceneBoundingRect()).boundingRect().translated(origin);
        const QRect covered = strip.intersected(drawn);
        if (!covered.isEmpty())
            area += qint64 { covered.width() } * covered.height();
    };
    if (m_shownStage >= 0 && static_cast<size_t>(m_shownStage) < m_stageBoxes.size()) {
        for (int i : m_stageBoxes[static_cast<size_t>(m_shownStage)])
            cover(m_boxes[static_cast<size_t>(i)]);
    } else {
        for (const auto& b : m_boxes) // done: every box reached
            cover(b);
    }
    return area;
}

void GraphTraceAnimation::placeCaption()
{
    if (m_caption->isHidden())
        return;
    const QRect area = m_view->viewport()->geometry();
    const int width = area.width();
    const int height = m_caption->heightForWidth(width);
    const QRect top(area.left(), area.top(), width, height);
    const QRect bottom(area.left(), area.bottom() + 1 - height, width, height);
    // At the top as a rule; at the bottom when the top would hide more of the boxes (a
    // small graph fitted to the view has boxes right under both edges).
    const qint64 atTop = coveredArea(top);
    m_captionAtBottom = atTop > 0 && coveredArea(bottom) < atTop;
    m_caption->setGeometry(m_captionAtBottom ? bottom : top);
}

} // namespace topiary
