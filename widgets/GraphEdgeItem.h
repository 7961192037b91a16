// One arrow of the layer graph: the tensor from one box to the next, as the layout routed
// it, with the tensor's name and shape as tooltip. Darkens under the mouse so the user
// can follow it; drawn without antialiasing when zoomed far out.
#pragma once

#include "core/analysis/GraphLayout.h"

#include <QGraphicsItem>
#include <QPainterPath>
#include <QPen>
#include <QPolygonF>

#include <vector>

namespace topiary {

class GraphEdgeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 0x7402 };

    GraphEdgeItem(const GraphLayoutEdge& edge, int index);

    int type() const override { return Type; }
    int index() const { return m_index; }  // position in GraphLayout::edges
    int from() const { return m_from; }    // GraphLayout::nodes index of the tail box
    int to() const { return m_to; }        // and of the head box
    const QPainterPath& path() const { return m_path; }

    QRectF boundingRect() const override;
    // A band a few points wide around the curve, so hovering near it shows the tooltip.
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

protected:
    void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;

private:
    int m_index = -1;
    int m_from = -1;
    int m_to = -1;
    QPainterPath m_path;
    QPolygonF m_arrow;
    QRectF m_bounds;
    // The path again in pieces a few hundred points long: densenet's concat arrows run
    // the height of a dense block, and stroking only the pieces on screen keeps a
    // frame's cost proportional to what is visible.
    struct Piece {
        QPainterPath path;
        QRectF bounds;
    };
    std::vector<Piece> m_pieces;
    mutable QPainterPath m_shape;  // built on first hit test: most edges are never hovered
    QPen m_pen;
    QPen m_hoverPen;
    bool m_hovered = false;
};

} // namespace topiary
