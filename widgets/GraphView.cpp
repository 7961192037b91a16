#include "widgets/GraphView.h"

#include "widgets/ColorLegend.h"
#include "widgets/GraphEdgeItem.h"
#include "widgets/GraphNodeItem.h"
#include "widgets/GraphTraceAnimation.h"
#include "widgets/NumberFormat.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QScrollBar>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace topiary {

namespace {

constexpr double kMinScale = 0.02;
constexpr double kMaxScale = 4.0;
constexpr double kZoomStep = 1.25;
constexpr int kLegendMargin = 8;
// Graphs that fit at this scale or more are fitted; larger ones open at 1:1.
constexpr double kFitIfAtLeast = 0.6;

} // namespace

GraphView::GraphView(QWidget* parent)
    : QGraphicsView(parent)
    , m_scene(new QGraphicsScene(this))
    , m_legend(new ColorLegend(this))
    , m_trace(new GraphTraceAnimation(this, m_scene))
{
    connect(m_trace, &GraphTraceAnimation::stopped, this, &GraphView::traceStopped);
    setScene(m_scene);
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    setDragMode(ScrollHandDrag);
    setTransformationAnchor(AnchorUnderMouse);
    setResizeAnchor(AnchorViewCenter);
    // Boxes and arrows paint within their bounding rects and set their own painter state:
    // Qt need not pad every update nor save and restore the painter around each item.
    setOptimizationFlags(DontAdjustForAntialiasing | DontSavePainterState);
    // Panning scrolls what is already drawn and repaints only the exposed strip.
    setViewportUpdateMode(MinimalViewportUpdate);
    setBackgroundBrush(palette().color(QPalette::Base));
    setFocusPolicy(Qt::StrongFocus);
    setToolTip(QString());
    setWhatsThis(tr("The model's graph: wheel or Ctrl+plus/minus to zoom, drag to pan, click a layer to select it."));
    m_legend->hide();
}

GraphLayoutOptions GraphView::layoutOptions(bool compact) const
{
    GraphLayoutOptions options;
    options.compact = compact;
    QFont bold = font();
    bold.setBold(true);
    const QFontMetricsF fm(font());
    const QFontMetricsF boldFm(bold);
    // Bold titles are the widest lines of a box; size for them.
    options.charWidth = boldFm.averageCharWidth() * 1.05;
    options.lineHeight = fm.lineSpacing();
    return options;
}

void GraphView::clear()
{
    m_trace->stop();
    m_scene->clear();
    m_nodes.clear();
    m_edges.clear();
    m_layerItems.clear();
    m_scene->setSceneRect(QRectF());
    m_startArea = QRectF();
    m_placeOnResize = false;
}

void GraphView::setGraph(const GraphLayout& layout)
{
    clear();
    m_nodes.reserve(layout.nodes.size());
    int maxLayer = -1;
    for (size_t i = 0; i < layout.nodes.size(); ++i) {
        auto* item = new GraphNodeItem(layout.nodes[i], static_cast<int>(i), font());
        item->setCacheMode(m_caching ? QGraphicsItem::DeviceCoordinateCache : QGraphicsItem::NoCache);
        m_scene->addItem(item);
        m_nodes.push_back(item);
        maxLayer = std::max(maxLayer, layout.nodes[i].layer);
    }
    m_layerItems.assign(static_cast<size_t>(maxLayer + 1), nullptr);
    for (auto* item : m_nodes)
        if (item->layer() >= 0)
            m_layerItems[static_cast<size_t>(item->layer())] = item;
    m_edges.reserve(layout.edges.size());
    for (size_t i = 0; i < layout.edges.size(); ++i) {
        m_edges.push_back(new GraphEdgeItem(layout.edges[i], static_cast<int>(i)));
        m_scene->addItem(m_edges.back());
    }

    const QRectF bounds(0, 0, layout.width, layout.height);
    m_scene->setSceneRect(bounds.adjusted(-20, -20, 20, 20));
    applyLayerState();

    // Where a large graph opens: its inputs (the top boxes when it has none) and the boxes
    // that begin within one screen height of them at 1:1.
    m_startArea = QRectF();
    double top = bounds.bottom();
    for (const auto& node : layout.nodes)
        top = std::min(top, node.y);
    const double band = std::max(400.0, static_cast<double>(viewport()->height()));
    for (const auto& node : layout.nodes)
        if (node.kind == GraphNodeKind::Input || node.y < top + band)
            m_startArea |= QRectF(node.x, node.y, node.width, node.height);
    m_placeOnResize = true;
    placeStart();
}

void GraphView::placeStart()
{
    resetTransform();
    const QRectF view = viewport()->rect();
    const QRectF scene = m_scene->sceneRect();
    if (scene.isEmpty() || view.isEmpty())
        return;
    const double fit = std::min(view.width() / scene.width(), view.height() / scene.height());
    if (fit >= kFitIfAtLeast) {
        fitInView(scene, Qt::KeepAspectRatio); // not fitToView(): that is the user's, and ends the placing
        m_trace->placeCaption();
        return;
    }
    // The first rows as wide as the view allows, but readable: 1:1 at most, 0.6 at least.
    const double width = m_startArea.width() + 40;
    const double s = std::clamp(view.width() / width, kFitIfAtLeast, 1.0);
    scale(s, s);
    const QRectF start = m_startArea.isEmpty() ? scene : m_startArea;
    // Input at the top: the view's top edge a margin above the first box.
    centerOn(start.center().x(), start.top() - 20 + view.height() / (2 * s));
    m_trace->placeCaption();
}

void GraphView::setItemCaching(bool on)
{
    m_caching = on;
    for (auto* item : m_nodes)
        item->setCacheMode(on ? QGraphicsItem::DeviceCoordinateCache : QGraphicsItem::NoCache);
}

GraphNodeItem* GraphView::itemForLayer(int layer) const
{
    if (layer < 0 || static_cast<size_t>(layer) >= m_layerItems.size())
        return nullptr;
    return m_layerItems[static_cast<size_t>(layer)];
}

const GraphNodeItem* GraphView::layerItem(int layer) const
{
    return itemForLayer(layer);
}

void GraphView::applyFill(GraphNodeItem* item) const
{
    if (!m_coloured || item->layer() < 0) {
        item->setFill(GraphNodeItem::defaultFill(item->kind()));
        return;
    }
    const auto layer = static_cast<size_t>(item->layer());
    const double value = layer < m_values.size() ? m_values[layer] : std::nan("");
    if (std::isnan(value))
        item->setFill(QColor(0xe4, 0xe4, 0xe4), true);
    else
        item->setFill(ColorLegend::colorAt(value, m_min, m_max));
}

void GraphView::applyToolTip(GraphNodeItem* item) const
{
    QString text = item->lines().join(QLatin1Char('\n'));
    if (m_coloured && item->layer() >= 0) {
        const auto layer = static_cast<size_t>(item->layer());
        const double value = layer < m_values.size() ? m_values[layer] : std::nan("");
        text += QLatin1Char('\n') + (std::isnan(value) ? tr("%1: no value").arg(m_metric)
                                                         : tr("%1: %2").arg(m_metric, format::significant(value, 4)));
    }
    if (auto it = m_toolTips.find(item->layer()); it != m_toolTips.end() && item->layer() >= 0)
        text += QStringLiteral("\n\n") + it->second;
    item->setToolTip(text);
}

void GraphView::applyLayerState()
{
    for (auto* item : m_nodes) {
        applyFill(item);
        applyToolTip(item);
        const int layer = item->layer();
        item->setCurrent(layer >= 0 && layer == m_selected);
        item->setHighlighted(layer >= 0 && std::find(m_highlighted.begin(), m_highlighted.end(), layer) != m_highlighted.end());
        auto badge = m_badges.find(layer);
        item->setBadge(layer >= 0 && badge != m_badges.end() ? badge->second : QString());
    }
}

void GraphView::setNodeValues(std::vector<double> perLayer, const QString& metricName, double min, double max)
{
    m_values = std::move(perLayer);
    m_metric = metricName;
    m_min = min;
    m_max = max;
    m_coloured = true;
    for (auto* item : m_nodes) {
        applyFill(item);
        applyToolTip(item);
    }
    m_legend->setScale(metricName, min, max);
    m_legend->show();
    m_legend->raise();
    placeLegend();
}

void GraphView::clearNodeValues()
{
    m_values.clear();
    m_coloured = false;
    for (auto* item : m_nodes) {
        applyFill(item);
        applyToolTip(item);
    }
    m_legend->hide();
}

void GraphView::setSelectedLayer(int layer)
{
    if (auto* old = itemForLayer(m_selected))
        old->setCurrent(false);
    m_selected = layer;
    if (auto* item = itemForLayer(layer))
        item->setCurrent(true);
}

void GraphView::setHighlightedLayers(std::vector<int> layers)
{
    for (int layer : m_highlighted)
        if (auto* item = itemForLayer(layer))
            item->setHighlighted(false);
    m_highlighted = std::move(layers);
    for (int layer : m_highlighted)
        if (auto* item = itemForLayer(layer))
            item->setHighlighted(true);
}

void GraphView::setNodeToolTip(int layer, const QString& text)
{
    if (text.isEmpty())
        m_toolTips.erase(layer);
    else
        m_toolTips[layer] = text;
    if (auto* item = itemForLayer(layer))
        applyToolTip(item);
}

void GraphView::setNodeBadges(std::map<int, QString> badges)
{
    clearBadges();
    m_badges = std::move(badges);
    for (const auto& [layer, text] : m_badges)
        if (auto* item = itemForLayer(layer))
            item->setBadge(text);
}

void GraphView::clearBadges()
{
    for (const auto& [layer, text] : m_badges)
        if (auto* item = itemForLayer(layer))
            item->setBadge(QString());
    m_badges.clear();
}

void GraphView::fitToView()
{
    m_placeOnResize = false;
    if (m_scene->sceneRect().isEmpty())
        return;
    fitInView(m_scene->sceneRect(), Qt::KeepAspectRatio);
    m_trace->placeCaption(); // the boxes moved under the strip
}

void GraphView::scaleBy(double factor)
{
    m_placeOnResize = false;
    const double current = transform().m11();
    const double target = std::clamp(current * factor, kMinScale, kMaxScale);
    if (current > 0 && target != current) {
        scale(target / current, target / current);
        m_trace->placeCaption(); // the boxes moved under the strip
    }
}

void GraphView::zoomIn()
{
    scaleBy(kZoomStep);
}

void GraphView::zoomOut()
{
    scaleBy(1 / kZoomStep);
}

bool GraphView::findLayer(const QString& name)
{
    GraphNodeItem* found = nullptr;
    for (auto* item : m_layerItems)
        if (item && item->name() == name) {
            found = item;
            break;
        }
    if (!found && !name.isEmpty())
        for (auto* item : m_layerItems)
            if (item && item->name().contains(name, Qt::CaseInsensitive)) {
                found = item;
                break;
            }
    if (!found)
        return false;
    centerOn(found->mapToScene(found->box().center()));
    setSelectedLayer(found->layer());
    emit layerSelected(found->layer());
    return true;
}

void GraphView::playTrace(const std::vector<TraceFrame>& frames)
{
    m_trace->start(frames, m_nodes, m_edges, true);
    setFocus(Qt::OtherFocusReason); // so Esc reaches the view
}

void GraphView::stopTrace()
{
    m_trace->stop();
}

void GraphView::setTraceTime(double seconds)
{
    m_trace->setTime(seconds);
}

bool GraphView::isTracing() const
{
    return m_trace->isActive();
}

double GraphView::traceTime() const
{
    return m_trace->time();
}

double GraphView::traceDuration() const
{
    return m_trace->duration();
}

double GraphView::traceStageTime(int stage) const
{
    return m_trace->stageTime(stage);
}

std::vector<int> GraphView::tracedNodes() const
{
    return m_trace->markedNodes();
}

QString GraphView::traceCaption() const
{
    return m_trace->caption();
}

void GraphView::wheelEvent(QWheelEvent* event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    // 120 units (one notch) zoom by 1.2; touchpads send smaller steps.
    scaleBy(std::pow(1.2, delta / 120.0));
    event->accept();
}

void GraphView::keyPressEvent(QKeyEvent* event)
{
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    if (event->key() == Qt::Key_Escape && m_trace->isActive()) {
        m_trace->stop();
    } else if (event->matches(QKeySequence::ZoomIn) || (ctrl && (event->key() == Qt::Key_Equal || event->key() == Qt::Key_Plus))) {
        zoomIn();
    } else if (event->matches(QKeySequence::ZoomOut) || (ctrl && event->key() == Qt::Key_Minus)) {
        zoomOut();
    } else if (ctrl && event->key() == Qt::Key_0) {
        fitToView();
    } else {
        QGraphicsView::keyPressEvent(event);
        return;
    }
    event->accept();
}

void GraphView::mousePressEvent(QMouseEvent* event)
{
    if (m_trace->isActive()) {
        // The click only clears the trace: it neither selects nor starts a drag.
        m_trace->stop();
        m_pressPos = QPoint(-10000, -10000);
        event->accept();
        return;
    }
    m_pressPos = event->position().toPoint();
    m_placeOnResize = false;
    QGraphicsView::mousePressEvent(event);
}

void GraphView::mouseReleaseEvent(QMouseEvent* event)
{
    QGraphicsView::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton ||
        (event->position().toPoint() - m_pressPos).manhattanLength() >= QApplication::startDragDistance())
        return;  // a drag pans, only a click selects
    for (QGraphicsItem* item : items(event->position().toPoint())) {
        if (item->type() != GraphNodeItem::Type)
            continue;
        auto* node = static_cast<GraphNodeItem*>(item);
        if (node->layer() < 0 || !node->box().contains(node->mapFromScene(mapToScene(event->position().toPoint()))))
            continue;
        setSelectedLayer(node->layer());
        emit layerSelected(node->layer());
        return;
    }
}

void GraphView::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    if (m_placeOnResize)
        placeStart(); // still as opened: the new size gets the same start
    placeLegend();
    m_trace->placeCaption();
}

void GraphView::scrollContentsBy(int dx, int dy)
{
    QGraphicsView::scrollContentsBy(dx, dy);
    m_trace->placeCaption(); // the boxes moved under the strip
}

void GraphView::placeLegend()
{
    // A sibling of the viewport, not part of the scene: it stays in its corner while
    // the drawing pans and zooms under it.
    const QRect area = viewport()->geometry();
    const QSize size = m_legend->sizeHint();
    m_legend->setGeometry(area.right() - size.width() - kLegendMargin, area.bottom() - size.height() - kLegendMargin,
                          size.width(), size.height());
}

} // namespace topiary
