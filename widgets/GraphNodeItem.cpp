#include "widgets/GraphNodeItem.h"

#include "widgets/ColorLegend.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <algorithm>

namespace topiary {

namespace {

constexpr qreal kRadius = 4;
constexpr qreal kPadding = 6;
constexpr qreal kOutline = 3;  // selection outline width, scene units
// Below this scale the text would be under ~5 px high: draw plain boxes.
constexpr qreal kTextPixels = 5;
constexpr qreal kPlainBelow = 0.18;

const QColor kSelection(0x1f, 0x6f, 0xd1);
const QColor kHighlight(0xe6, 0x7e, 0x22);
const QColor kBadgeFill(0xff, 0xf4, 0xc2);
const QColor kBadgeBorder(0xc9, 0xa2, 0x27);
const QColor kTraced(0xd6, 0x27, 0x28);
constexpr qreal kTraceOutline = 3.5;

} // namespace

GraphNodeItem::GraphNodeItem(const GraphLayoutNode& node, int index, const QFont& font)
    : m_index(index)
    , m_layer(node.layer)
    , m_kind(node.kind)
    , m_box(0, 0, node.width, node.height)
    , m_font(font)
    , m_boldFont(font)
    , m_badgeFont(font)
{
    for (const auto& line : node.lines)
        m_lines << QString::fromStdString(line);
    if (node.kind == GraphNodeKind::Input || node.kind == GraphNodeKind::Output)
        m_name = QString::fromStdString(node.tensor);
    else if (m_lines.size() > 1)
        m_name = m_lines[1];
    // The box was sized for this font: make its size explicit, or a painter would resolve
    // it against its device's font (a cache pixmap paints with the application's font,
    // which presentation mode enlarges).
    if (font.pointSizeF() > 0) {
        m_font.setPointSizeF(font.pointSizeF());
        m_boldFont.setPointSizeF(font.pointSizeF());
    } else {
        m_font.setPixelSize(font.pixelSize());
        m_boldFont.setPixelSize(font.pixelSize());
    }
    m_font.setFamilies(font.families());
    m_boldFont.setFamilies(font.families());
    m_badgeFont.setFamilies(font.families());
    m_boldFont.setBold(true);
    m_badgeFont.setPointSizeF(font.pointSizeF() * 0.9);
    setPos(node.x, node.y);
    setCacheMode(DeviceCoordinateCache);
    setZValue(1);
    setFill(defaultFill(node.kind));
    prepareText();
}

QColor GraphNodeItem::defaultFill(GraphNodeKind kind)
{
    switch (kind) {
    case GraphNodeKind::Layer: return {0xdc, 0xe7, 0xf5};
    case GraphNodeKind::Op: return {0xf3, 0xf3, 0xf3};
    case GraphNodeKind::Input:
    case GraphNodeKind::Output: return {0xfd, 0xf0, 0xd5};
    }
    return Qt::white;
}

void GraphNodeItem::prepareText()
{
    const QFontMetricsF fm(m_font);
    const QFontMetricsF bold(m_boldFont);
    m_lineHeight = fm.lineSpacing();
    const qreal width = m_box.width() - 2 * kPadding;
    m_text.clear();
    for (int i = 0; i < m_lines.size(); ++i) {
        const bool isName = i == 1 && (m_kind == GraphNodeKind::Layer || m_kind == GraphNodeKind::Op);
        const bool isTitle = i == 0;
        // Names are paths ("/layer1/layer1.0/conv1/Conv"): their end says the most.
        const QString text = (isTitle ? bold : fm).elidedText(m_lines[i], isName ? Qt::ElideLeft : Qt::ElideRight, width);
        QStaticText st(text);
        st.setTextFormat(Qt::PlainText);
        st.setPerformanceHint(QStaticText::AggressiveCaching);
        st.prepare(QTransform(), isTitle ? m_boldFont : m_font);
        m_text.push_back(std::move(st));
    }
}

void GraphNodeItem::setFill(const QColor& color, bool hatched)
{
    if (color == m_fill && hatched == m_hatched)
        return;
    m_fill = color;
    m_hatched = hatched;
    m_textColor = ColorLegend::textColorOn(color);
    m_border = QPen(m_kind == GraphNodeKind::Layer ? QColor(0x4a, 0x6f, 0x9c) : QColor(0x9a, 0x9a, 0x9a),
                    m_kind == GraphNodeKind::Layer ? 1.2 : 1.0);
    update();
}

void GraphNodeItem::setCurrent(bool current)
{
    if (current == m_current)
        return;
    m_current = current;
    update();
}

void GraphNodeItem::setHighlighted(bool highlighted)
{
    if (highlighted == m_highlighted)
        return;
    m_highlighted = highlighted;
    update();
}

void GraphNodeItem::setBadge(const QString& text)
{
    if (text == m_badge)
        return;
    prepareGeometryChange();
    m_badge = text;
    m_badgeText = QStaticText(text);
    m_badgeText.setTextFormat(Qt::PlainText);
    m_badgeText.prepare(QTransform(), m_badgeFont);
    const QSizeF size = m_badgeText.size();
    const qreal w = size.width() + 8;
    m_badgeRect = text.isEmpty() ? QRectF() : QRectF(m_box.center().x() - w / 2, m_box.bottom() + 2, w, size.height() + 2);
    update();
}

void GraphNodeItem::setTraceMark(const QString& tag, const QColor& color)
{
    if (tag == m_traceTag && (tag.isEmpty() || color == m_traceColor))
        return;
    prepareGeometryChange();
    m_traceTag = tag;
    m_traceColor = color.isValid() ? color : kTraced;
    m_traceText = QStaticText(tag);
    m_traceText.setTextFormat(Qt::PlainText);
    m_traceText.prepare(QTransform(), m_badgeFont);
    const QSizeF size = m_traceText.size();
    const qreal w = size.width() + 8;
    const qreal h = size.height() + 2;
    // Straddles the top right corner, so it reads as a tag on the box and never hides
    // the box's title.
    m_traceRect = tag.isEmpty() ? QRectF() : QRectF(m_box.right() - w + 4, m_box.top() - h / 2 - 2, w, h);
    update();
}

QRectF GraphNodeItem::boundingRect() const
{
    const qreal m = std::max(kOutline, kTraceOutline + 1);
    return m_box.adjusted(-m, -m, m, m)
        .united(m_badgeRect.adjusted(-1, -1, 1, 1))
        .united(m_traceRect.adjusted(-1, -1, 1, 1));
}

void GraphNodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget*)
{
    const qreal lod = option->levelOfDetailFromTransform(painter->worldTransform());
    const bool ring = m_current || m_highlighted;
    const QColor ringColor = m_current ? kSelection : kHighlight;

    if (lod < kPlainBelow) {
        // Zoomed far out: a box is a few pixels; outlines would hide the colour.
        painter->setRenderHint(QPainter::Antialiasing, false);
        painter->fillRect(m_box, ring ? ringColor : m_fill);
        if (ring)
            painter->fillRect(m_box.adjusted(m_box.width() / 4, m_box.height() / 4, -m_box.width() / 4, -m_box.height() / 4), m_fill);
        if (!m_traceTag.isEmpty())
            painter->fillRect(m_box, kTraced);
        return;
    }

    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setPen(m_border);
    painter->setBrush(m_fill);
    const qreal radius = m_kind == GraphNodeKind::Input || m_kind == GraphNodeKind::Output ? m_box.height() / 2 : kRadius;
    painter->drawRoundedRect(m_box, radius, radius);
    if (m_hatched) {
        painter->setPen(Qt::NoPen);
        painter->setBrush(QBrush(QColor(0xa0, 0xa0, 0xa0), Qt::BDiagPattern));
        painter->drawRoundedRect(m_box, radius, radius);
    }
    if (ring) {
        QPen pen(ringColor, m_current ? kOutline : kOutline - 0.5);
        if (!m_current)
            pen.setStyle(Qt::DashLine);
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        const qreal inset = -pen.widthF() / 2 + 0.5;
        painter->drawRoundedRect(m_box.adjusted(inset, inset, -inset, -inset), radius, radius);
    }

    if (!m_traceTag.isEmpty()) {
        QPen pen(kTraced, kTraceOutline);
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        const qreal outset = kTraceOutline / 2;
        painter->drawRoundedRect(m_box.adjusted(-outset, -outset, outset, outset), radius + outset, radius + outset);
    }

    if (lod * m_lineHeight < kTextPixels * 1.6)
        return;
    painter->setPen(m_textColor);
    qreal y = m_box.center().y() - m_lineHeight * static_cast<qreal>(m_text.size()) / 2;
    for (size_t i = 0; i < m_text.size(); ++i) {
        painter->setFont(i == 0 ? m_boldFont : m_font);
        const qreal x = m_box.center().x() - m_text[i].size().width() / 2;
        painter->drawStaticText(QPointF(x, y), m_text[i]);
        y += m_lineHeight;
    }
    if (!m_badge.isEmpty()) {
        painter->setPen(QPen(kBadgeBorder, 1));
        painter->setBrush(kBadgeFill);
        painter->drawRoundedRect(m_badgeRect, 3, 3);
        painter->setPen(Qt::black);
        painter->setFont(m_badgeFont);
        painter->drawStaticText(m_badgeRect.topLeft() + QPointF(4, 1), m_badgeText);
    }
    if (!m_traceTag.isEmpty()) {
        painter->setPen(QPen(m_traceColor.darker(130), 1));
        painter->setBrush(m_traceColor);
        painter->drawRoundedRect(m_traceRect, 3, 3);
        painter->setPen(ColorLegend::textColorOn(m_traceColor));
        painter->setFont(m_badgeFont);
        painter->drawStaticText(m_traceRect.topLeft() + QPointF(4, 1), m_traceText);
    }
}

} // namespace topiary
