// One box of the layer graph: a layer, an op, a graph input or output, with its label,
// fill colour, selection and highlight outlines and an optional badge under it. Drawn
// from text prepared once (QStaticText), cached as a pixmap, and reduced to a plain
// rectangle when zoomed out so panning a large model stays smooth.
#pragma once

#include "core/analysis/GraphLayout.h"

#include <QBrush>
#include <QFont>
#include <QGraphicsItem>
#include <QPen>
#include <QStaticText>

#include <vector>

namespace topiary {

class GraphNodeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 0x7401 };

    // index: position in GraphLayout::nodes.
    GraphNodeItem(const GraphLayoutNode& node, int index, const QFont& font);

    int type() const override { return Type; }
    int index() const { return m_index; }
    int layer() const { return m_layer; }
    GraphNodeKind kind() const { return m_kind; }
    // The node's (or tensor's) name, as the layout gave it.
    const QString& name() const { return m_name; }
    const QStringList& lines() const { return m_lines; }
    QRectF box() const { return m_box; }  // the box in item coordinates (no badge)

    // Fill of the box; hatched marks "coloured view, but no value for this layer".
    void setFill(const QColor& color, bool hatched = false);
    QColor fill() const { return m_fill; }
    void setCurrent(bool current);  // the selected layer: thick outline in the highlight colour
    bool isCurrent() const { return m_current; }
    void setHighlighted(bool highlighted);  // coupled with the selection: dashed orange outline
    bool isHighlighted() const { return m_highlighted; }
    void setBadge(const QString& text);  // a line drawn under the box; "" for none
    const QString& badge() const { return m_badge; }
    // Reached by a filter-removal trace: a red outline and a small tag at the top right
    // ("−ch 17") filled with the step's colour. An empty tag clears the mark.
    void setTraceMark(const QString& tag, const QColor& color = QColor());
    bool isTraceMarked() const { return !m_traceTag.isEmpty(); }
    const QString& traceTag() const { return m_traceTag; }

    // The default fill of a box of this kind when nothing colours it.
    static QColor defaultFill(GraphNodeKind kind);

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    void prepareText();

    int m_index = -1;
    int m_layer = -1;
    GraphNodeKind m_kind = GraphNodeKind::Op;
    QString m_name;
    QStringList m_lines;
    QRectF m_box;
    QFont m_font;
    QFont m_boldFont;
    QFont m_badgeFont;
    qreal m_lineHeight = 0;
    std::vector<QStaticText> m_text;
    QStaticText m_badgeText;
    QRectF m_badgeRect;
    QString m_badge;
    QString m_traceTag;
    QStaticText m_traceText;
    QRectF m_traceRect;
    QColor m_traceColor;
    QColor m_fill;
    QColor m_textColor;
    QPen m_border;
    bool m_hatched = false;
    bool m_current = false;
    bool m_highlighted = false;
};

} // namespace topiary
