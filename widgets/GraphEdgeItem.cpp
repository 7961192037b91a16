#include "widgets/GraphEdgeItem.h"

#include <QCoreApplication>
#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace topiary {

namespace {

constexpr qreal kArrowHalfWidth = 3.5;
constexpr qreal kPlainBelow = 0.3;
constexpr qreal kPieceLength = 400;
const QColor kEdge(0x80, 0x80, 0x80);
const QColor kEdgeHover(0x1f, 0x6f, 0xd1);

} // namespace

GraphEdgeItem::GraphEdgeItem(const GraphLayoutEdge& edge, int index)
    : m_index(index)
    , m_from(edge.from)
    , m_to(edge.to)
    , m_pen(kEdge, 1.1)
    , m_hoverPen(kEdgeHover, 2.2)
{
    const auto& p = edge.points;
    if (!p.empty()) {
        m_path.moveTo(p[0].x, p[0].y);
        QPainterPath piece(QPointF(p[0].x, p[0].y));
        for (size_t i = 1; i + 2 < p.size(); i += 3) {
            m_path.cubicTo(p[i].x, p[i].y, p[i + 1].x, p[i + 1].y, p[i + 2].x, p[i + 2].y);
            piece.cubicTo(p[i].x, p[i].y, p[i + 1].x, p[i + 1].y, p[i + 2].x, p[i + 2].y);
            const QRectF bounds = piece.controlPointRect();
            if (bounds.height() + bounds.width() > kPieceLength || i + 5 >= p.size()) {
                m_pieces.push_back({piece, bounds.adjusted(-2, -2, 2, 2)});
                piece = QPainterPath(QPointF(p[i + 2].x, p[i + 2].y));
            }
        }
        // The arrowhead points from the path's end to the tip.
        const QPointF base(p.back().x, p.back().y);
        const QPointF tip(edge.arrowTip.x, edge.arrowTip.y);
        QPointF dir = tip - base;
        const qreal length = std::hypot(dir.x(), dir.y());
        if (length > 0.1) {
            dir /= length;
            const QPointF normal(-dir.y() * kArrowHalfWidth, dir.x() * kArrowHalfWidth);
            m_arrow << tip << base + normal << base - normal;
        }
    }
    m_pen.setCapStyle(Qt::FlatCap);
    m_hoverPen.setCapStyle(Qt::FlatCap);
    m_bounds = m_path.boundingRect().united(m_arrow.boundingRect()).adjusted(-2, -2, 2, 2);

    const QString shape = QString::fromStdString(edge.shape);
    const QString tensor = QString::fromStdString(edge.tensor);
    setToolTip(shape.isEmpty() ? QCoreApplication::translate("topiary::GraphView", "%1\nshape unknown").arg(tensor)
                               : QStringLiteral("%1\n%2").arg(tensor, shape));
    setAcceptHoverEvents(true);
    setFlag(ItemUsesExtendedStyleOption);  // paint() needs the exposed rect
    setZValue(0);
}

QRectF GraphEdgeItem::boundingRect() const
{
    return m_bounds;
}

QPainterPath GraphEdgeItem::shape() const
{
    if (m_shape.isEmpty()) {
        QPainterPathStroker stroker;
        stroker.setWidth(6);
        m_shape = stroker.createStroke(m_path);
        m_shape.addPolygon(m_arrow);
    }
    return m_shape;
}

void GraphEdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    painter->setRenderHint(QPainter::Antialiasing, lod >= kPlainBelow);
    const QPen& pen = m_hovered ? m_hoverPen : m_pen;
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    if (option->exposedRect.contains(m_bounds)) {
        painter->drawPath(m_path);  // all on screen: one call
    } else {
        for (const Piece& piece : m_pieces)
            if (piece.bounds.intersects(option->exposedRect))
                painter->drawPath(piece.path);
    }
    if (lod >= kPlainBelow && !m_arrow.isEmpty()) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(pen.color());
        painter->drawPolygon(m_arrow);
    }
}

void GraphEdgeItem::hoverEnterEvent(QGraphicsSceneHoverEvent*)
{
    m_hovered = true;
    setZValue(0.5);
    update();
}

void GraphEdgeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent*)
{
    m_hovered = false;
    setZValue(0);
    update();
}

} // namespace topiary
