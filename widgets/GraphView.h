// The layer graph: the boxes and arrows of a GraphLayout, coloured by a per-layer metric
// with its legend, sharing the selected layer with the other views. Zoom with the wheel
// or Ctrl+plus/minus (Ctrl+0 fits), pan by dragging, click a box to select its layer.
//
// Wiring: the app lays out (core layoutGraph, off the GUI thread, with layoutOptions()
// for the font) and calls setGraph(); compact mode is a new layout. Everything indexed
// by layer uses the layer indices of findLayers() that the layout was made from, and
// survives setGraph() (values, selection, highlights, tooltips, badges are re-applied).
// For teaching, playTrace() animates one filter's removal travelling through the boxes.
#pragma once

#include "core/analysis/GraphLayout.h"
#include "widgets/TraceFrame.h"

#include <QGraphicsView>

#include <map>
#include <vector>

namespace topiary {

class ColorLegend;
class GraphEdgeItem;
class GraphNodeItem;
class GraphTraceAnimation;

class GraphView : public QGraphicsView {
    Q_OBJECT

public:
    explicit GraphView(QWidget* parent = nullptr);

    // Layout options whose text metrics match this view's font.
    GraphLayoutOptions layoutOptions(bool compact) const;

    // Replaces the drawing. Small graphs are fitted to the view; large ones open on their
    // first layers, input at the top, scaled so that the widest of those rows fits (never
    // below a readable scale). Until the user zooms or pans, a resize places it so again.
    void setGraph(const GraphLayout& layout);
    // The scene area of the first layers a large graph opens on (for tests).
    QRectF startArea() const { return m_startArea; }
    void clear();

    // Colours layer boxes by one value per layer (index = layer; NaN = no value, drawn
    // hatched grey) on a scale from min to max, and shows the legend. Other boxes keep
    // their plain colour.
    void setNodeValues(std::vector<double> perLayer, const QString& metricName, double min, double max);
    void clearNodeValues();

    // The selected layer (-1: none), as set by another view: no signal.
    void setSelectedLayer(int layer);
    int selectedLayer() const { return m_selected; }
    // Layers drawn with a dashed outline, e.g. those coupled to the selection.
    void setHighlightedLayers(std::vector<int> layers);
    // Extra tooltip text of a layer's box (e.g. why it cannot be pruned); "" removes it.
    void setNodeToolTip(int layer, const QString& text);
    // One line under each listed layer's box, e.g. "64→45 ch · 8 bit · −30% MACs".
    void setNodeBadges(std::map<int, QString> badges);
    void clearBadges();

    void fitToView();
    void zoomIn();
    void zoomOut();
    // Centres on the layer named name (exact, else the first whose name contains it,
    // ignoring case), selects it and emits layerSelected. False if there is none.
    bool findLayer(const QString& name);

    // The box of a layer, nullptr if the graph has none (for tests and tools).
    const GraphNodeItem* layerItem(int layer) const;
    const ColorLegend* legend() const { return m_legend; }
    // Pixmap caching of boxes (on by default); off only to measure what it saves.
    void setItemCaching(bool on);

    // Animates one filter's removal (see traceFrames()): the first hop's boxes pulse, a
    // dot runs along the arrows hop by hop (~0.6 s each), reached boxes keep a red
    // outline and a tag, a caption strip over the view says what the hop removes, and
    // the view pans to follow. The marks stay after the end until stopTrace(), Esc or a
    // click on the graph. A new graph (setGraph, clear) stops it.
    void playTrace(const std::vector<TraceFrame>& frames);
    void stopTrace();
    // Freezes the trace at t seconds from its start (for tests and screenshots); a trace
    // started with playTrace stops moving.
    void setTraceTime(double seconds);
    bool isTracing() const;            // a trace is shown (moving or finished)
    double traceTime() const;
    double traceDuration() const;
    // When boxes of hop number `stage` (0, 1, 2... after renumbering) are reached.
    double traceStageTime(int stage) const;
    // Boxes (GraphLayout node indices) the trace has reached, in the order reached.
    std::vector<int> tracedNodes() const;
    QString traceCaption() const;

signals:
    // The user clicked a layer's box (or found it with findLayer).
    void layerSelected(int layer);
    // The trace was cleared (Esc, a click, stopTrace or a new graph).
    void traceStopped();

protected:
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    void scaleBy(double factor);
    void placeStart();
    void applyLayerState();
    void applyFill(GraphNodeItem* item) const;
    void applyToolTip(GraphNodeItem* item) const;
    void placeLegend();
    GraphNodeItem* itemForLayer(int layer) const;

    QGraphicsScene* m_scene = nullptr;
    ColorLegend* m_legend = nullptr;
    std::vector<GraphNodeItem*> m_nodes;        // by GraphLayout node index
    std::vector<GraphEdgeItem*> m_edges;        // by GraphLayout edge index
    GraphTraceAnimation* m_trace = nullptr;
    std::vector<GraphNodeItem*> m_layerItems;   // by layer index, nullptr where none
    std::vector<double> m_values;
    QString m_metric;
    double m_min = 0;
    double m_max = 1;
    bool m_coloured = false;
    int m_selected = -1;
    std::vector<int> m_highlighted;
    std::map<int, QString> m_toolTips;
    std::map<int, QString> m_badges;
    QPoint m_pressPos;
    bool m_caching = true;
    QRectF m_startArea; // the inputs and the boxes in the first screenful below them
    bool m_placeOnResize = false; // the user has not moved the view since setGraph
};

} // namespace topiary
