// The graph tab: the layer graph with its toolbar (colour by a metric, compact view,
// show changes, find a layer, fit). It lays the graph out on a worker thread (cached per
// model and view mode), turns the Document's stats into per-layer colours and diff badges,
// and draws the dependency group of the selected layer. The drawing is GraphView's.
#pragma once

#include "core/analysis/FilterTrace.h"
#include "core/analysis/GraphLayout.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLineEdit;
class QToolButton;
class QLabel;

namespace topiary {

class Document;
class GraphView;
class JobTracker;

class GraphPane : public QWidget {
    Q_OBJECT

public:
    enum class Metric { None, Sparsity, Bits, MacsShare, ParamsShare, Sensitivity };

    GraphPane(Document* document, QWidget* parent = nullptr);

    GraphView* view() const { return m_view; }
    void setSelectedLayer(int layer);
    void setMetric(Metric metric);
    Metric metric() const;
    void setCompact(bool compact);
    void setShowChanges(bool show);
    // Per-layer sensitivity (e.g. top-1 lost at 50 % pruning), NaN where unmeasured; the
    // Sensitivity colouring shows it.
    void setSensitivity(std::vector<double> lossPerLayer);
    // True once the current model's layout is shown (tests and screenshots wait for it).
    bool hasLayout() const { return m_laidOut; }
    // Animates where filter `filter` of `layer` goes when it is pruned (the core's
    // traceFilter on the Document's model), on the boxes of the layout shown: in compact
    // mode a folded BatchNorm or activation shows its step on its layer's box. Waits for
    // the layout if it is still being made. Fails when the core cannot trace that filter.
    Result<void> traceFilter(int layer, int filter);

signals:
    void layerSelected(int layer);
    void layoutReady();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void onModelChanged();
    void startLayout();
    void onLayoutDone(bool compact, Result<GraphLayout> layout);
    void refreshPlan();
    void applyColours();
    void applyBadges();
    void applyHighlights();
    void find();
    void playPendingTrace();

    Document* m_document;
    GraphView* m_view = nullptr;
    QLabel* m_metricLabel = nullptr;
    QComboBox* m_metricBox = nullptr;
    QToolButton* m_compact = nullptr;
    QToolButton* m_changes = nullptr;
    QToolButton* m_fit = nullptr;
    QLineEdit* m_find = nullptr;
    JobTracker* m_jobs = nullptr;
    // Layouts of the current model by mode (0 = full, 1 = compact): switching is instant.
    std::optional<GraphLayout> m_layouts[2];
    bool m_laidOut = false;
    int m_selected = -1;
    std::vector<double> m_sensitivity;
    std::optional<FilterTrace> m_pendingTrace; // waits for the layout
};

} // namespace topiary
