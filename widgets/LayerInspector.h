// The inspector of the selected layer: a title (name, kind, weight shape), its weight
// histogram with the draggable pruning cut and quantization levels, in a tab beside it
// (when the layer's input activations are 8-bit) their calibration histogram, its importance
// heatmap with the criteria side bar and disagreement view, and the controls of its
// spec. Shows a LayerInspection the core computed and forwards the user's edits; it
// holds no copy of the plan. Plottables are reused, so refreshing on every slider move
// costs a redraw, not a rebuild.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/model/Layer.h"

#include <QWidget>

#include <string>
#include <vector>

class QLabel;
class QSplitter;
class QTabWidget;

namespace topiary {

struct LayerInspection;
class ActivationHistogramPlot;
class ImportanceHeatmap;
class LayerControls;
class WeightHistogramPlot;

class LayerInspector : public QWidget {
    Q_OBJECT

public:
    explicit LayerInspector(QWidget* parent = nullptr);

    // Shows `inspection` with `spec`, the layer's spec in the plan it was computed for.
    // Never emits. When the layer or the spec's filter criterion changes, the heatmap's
    // side bar switches to that criterion.
    void setInspection(const LayerInspection& inspection, const LayerSpec& spec);
    // No layer selected.
    void clear();

    int layer() const { return m_layer; }
    QString titleText() const;
    WeightHistogramPlot* histogram() const { return m_histogram; }
    // A tab beside the weight histogram while the layer's input activations are 8-bit;
    // the owner fills it.
    ActivationHistogramPlot* activationHistogram() const { return m_activationHistogram; }
    // Shows the activation histogram's tab and brings it to the front (the owner calls it
    // when the user makes the layer's inputs 8-bit).
    void showActivationHistogram();
    ImportanceHeatmap* heatmap() const { return m_heatmap; }
    LayerControls* controls() const { return m_controls; }

signals:
    // From the controls: a new prune spec (stillDragging while the slider is held),
    // a new encoding, a new rank.
    void pruneEdited(const topiary::PruneSpec& spec, bool stillDragging);
    void quantEdited(const topiary::QuantSpec& spec);
    void lowRankEdited(const topiary::LowRankSpec& spec);
    void activationEdited(const topiary::ActivationSpec& spec);
    void calibrationMethodEdited(topiary::CalibrationMethod method);
    // From the histogram: the element cut as |w| while dragged, and at release.
    void thresholdDragged(double magnitude);
    void thresholdDragFinished(double magnitude);
    // From the heatmap: the side bar's criterion (a view choice, not a plan edit).
    void criterionChanged(topiary::Criterion criterion);
    // From the heatmap's context menu: animate where this filter's removal goes.
    void traceRequested(int filter);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void updateTitle();
    void showActivationTab(bool shown);

    QLabel* m_title = nullptr;
    QLabel* m_problems = nullptr;
    QSplitter* m_split = nullptr;
    WeightHistogramPlot* m_histogram = nullptr;
    QTabWidget* m_histograms = nullptr;
    ActivationHistogramPlot* m_activationHistogram = nullptr;
    ImportanceHeatmap* m_heatmap = nullptr;
    LayerControls* m_controls = nullptr;

    int m_layer = -1;
    std::string m_name;
    LayerKind m_kind = LayerKind::Conv;
    std::vector<int64_t> m_shape;
    qint64 m_filters = 0;
    qint64 m_pruned = 0;
    double m_elementFraction = 0.0;
    std::string m_pruneError;
    std::string m_levelsError;
    PruneSpec m_shownPrune;
};

} // namespace topiary
