// The layer graph: the boxes and arrows of a GraphLayout, coloured by a per-layer metric
// with its legend, sharing the selected layer with the other views. Zoom with the wheel
// or Ctrl+plus/minus (Ctrl+0 fits), pan by dragging, click a box to select its layer.
//
// Wiring: the app lays out (core layoutGraph, off the GUI thread, with layoutOptions()
// for the font) and calls setGraph(); compact mode is a new layout. Everything indexed
// by layer uses the layer indices of findLayers() that the layout was made from, and
// survives setGraph() (values, selection, highlights, tooltips, badges are re-applied).
#pragma once

#include "core/GraphLayout.h"

#include <QGraphicsView>

#include <map>
#include <vector>

namespace topiary {

class ColorLegend;
class GraphNodeItem;

class GraphView : public QGraphicsView {
    Q_OBJECT

public:
    explicit GraphView(QWidget* parent = nullptr);

    // Layout options whose text metrics match this view's font.
    GraphLayoutOptions layoutOptions(bool compact) const;

    // Replaces the drawing. Small graphs are fitted to the view; large ones open at a
    // readable scale on their inputs.
    void setGraph(const GraphLayout& layout);
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

signals:
    // The user clicked a layer's box (or found it with findLayer).
    void layerSelected(int layer);

protected:
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void scaleBy(double factor);
    void applyLayerState();
    void applyFill(GraphNodeItem* item) const;
    void applyToolTip(GraphNodeItem* item) const;
    void placeLegend();
    GraphNodeItem* itemForLayer(int layer) const;

    QGraphicsScene* m_scene = nullptr;
    ColorLegend* m_legend = nullptr;
    std::vector<GraphNodeItem*> m_nodes;        // by GraphLayout node index
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
};

} // namespace topiary
