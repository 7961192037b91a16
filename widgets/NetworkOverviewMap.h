// The whole network as one heatmap (a core NetworkOverview): a row per layer, a column per
// filter rank (most important first), the colour the filter's score relative to its layer's
// best, and the filters the plan removes painted over in red (element pruning as a partial
// tint, the fraction of the filter's weights it zeroes). Hovering a cell says which layer,
// rank, score and whether it is pruned; clicking a row selects that layer in the rest of
// the window.
#pragma once

#include "widgets/ClickTracker.h"

#include "core/analysis/NetworkOverview.h"

#include <QWidget>

#include <string>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPColorScale;
class QCPItemRect;
class QLabel;
class QMouseEvent;

namespace topiary {

struct Layer;

class NetworkOverviewMap : public QWidget {
    Q_OBJECT

public:
    explicit NetworkOverviewMap(QWidget* parent = nullptr);

    // Shows `overview`; layers gives the row names (overview.layers index into it).
    void setOverview(const NetworkOverview& overview, const std::vector<Layer>& layers);
    void clear();
    // Outlines the row of this layer (an index into the layers vector); -1 or a layer
    // without a row clears the mark.
    void setSelectedLayer(int layer);
    int selectedLayer() const { return m_selectedLayer; }

    // The overview row and filter rank under a point of plot(), or false outside the data.
    bool cellAt(const QPoint& plotPos, int* row, int64_t* rank) const;
    // What the tooltip says about a cell: layer, rank, filter, score, pruned or kept.
    QString cellText(int row, int64_t rank) const;
    // The pixel (in plot() coordinates) at the centre of a cell, for tests and automation.
    QPoint cellCenter(int row, int64_t rank) const;

    QCustomPlot* plot() const { return m_plot; }
    QCPColorMap* importanceMap() const { return m_importance; }
    QCPColorMap* prunedMap() const { return m_pruned; }

signals:
    void layerSelected(int layer);

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void retranslateUi();
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);
    void updateRowLabels();
    void updateSelectionMark();

    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_importance = nullptr;
    QCPColorMap* m_pruned = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemRect* m_selectionMark = nullptr;
    QLabel* m_legend = nullptr;

    NetworkOverview m_overview;
    std::vector<std::string> m_rowNames;
    int m_selectedLayer = -1;
    ClickTracker m_click;
};

} // namespace topiary
