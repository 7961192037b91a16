// Per-layer sensitivity curves from a core SensitivityResult: for every swept layer, accuracy
// (top-1, or agreement with the original when the data has no labels) against the prune
// ratio or the bit width, with the 95 % interval as error bars. Until a layer's points are
// measured, its data-free estimate (the share of weight energy the change keeps) is drawn
// dashed on the right axis. A dotted line marks the original model's accuracy. Meant to be fed progressively while the analysis runs: each
// setResult() updates the curves in place. Hovering a curve names its layer and brings it
// forward; clicking selects the layer in the rest of the window.
#pragma once

#include "widgets/ClickTracker.h"

#include "core/analysis/Sensitivity.h"

#include "widgets/PlotWidget.h"

#include <string>
#include <vector>

class QCustomPlot;
class QCPErrorBars;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QMouseEvent;

namespace topiary {

struct Layer;

class SensitivityPlot : public PlotWidget {
    Q_OBJECT

public:
    explicit SensitivityPlot(QWidget* parent = nullptr);

    // Shows the points of sweepKind() (the other kind's are ignored). layers maps the result's
    // layer names to the indices layerSelected() reports. Called again with the same layers
    // (more points measured), it only replaces data: the curves stay the same objects.
    void setResult(const SensitivityResult& result, const std::vector<Layer>& layers);
    void setSweepKind(SweepKind kind);
    SweepKind sweepKind() const { return m_kind; }
    void clear();

    // Emphasises this layer's curve (an index into the layers vector; -1 for none).
    void setSelectedLayer(int layer);
    int selectedLayer() const { return m_selected; }

    // Curves shown, one per swept layer, in the result's order.
    int curveCount() const { return static_cast<int>(m_curves.size()); }
    int curveLayer(int curve) const;
    QString curveName(int curve) const;
    // The measured curve and its data-free estimate (for tests and automation).
    QCPGraph* measuredGraph(int curve) const;
    QCPGraph* estimateGraph(int curve) const;
    // The curve nearest a point of plot(), within a few pixels; -1 if none.
    int curveAt(const QPoint& plotPos) const;

    QCustomPlot* plot() const { return m_plot; }

signals:
    void layerSelected(int layer);

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Curve {
        std::string name;
        int layer = -1;
        QCPGraph* measured = nullptr;
        QCPErrorBars* errors = nullptr;
        QCPGraph* estimate = nullptr;
        QColor color;
    };

    void retranslateUi();
    void refresh();
    void rebuildCurves(const std::vector<std::string>& names);
    void updateData();
    void applyStyles();
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);

    QCustomPlot* m_plot = nullptr;
    QCPItemText* m_hoverLabel = nullptr;
    QCPItemStraightLine* m_baseline = nullptr; // the original model's accuracy
    QCPItemText* m_baselineLabel = nullptr;
    std::vector<Curve> m_curves;
    SensitivityResult m_result;
    std::vector<std::string> m_layerNames; // by layer index
    SweepKind m_kind = SweepKind::Prune;
    bool m_usesAgreement = false;
    int m_selected = -1; // layer index
    int m_hovered = -1; // curve index
    ClickTracker m_click;
};

} // namespace topiary
