// Analyze > Compare Criteria: does the choice of pruning criterion matter for this layer?
// Shows a core CriteriaComparison — one column per criterion (L1, L2, FPGM, APoZ, BN
// scale) ranking the layer's filters from most to least important, the filters the
// chosen fraction removes shaded, and the filter under the mouse (or clicked) marked in
// every column so the eye sees where each criterion puts it (the table scrolls to a
// followed filter whose marks are all out of sight) — the Jaccard overlaps of the
// pruned sets, and a CriteriaMeasurement as a bar chart of top-1 per criterion with its
// 95 % Wilson interval against the current plan's accuracy (dashed). Criteria that cannot
// rank the layer are greyed, with the reason as tooltip. The fraction control and the
// Measure / Stop buttons only emit signals: the app computes.
#pragma once

#include "core/analysis/CriteriaComparison.h"

#include <QWidget>

class QCustomPlot;
class QCPBars;
class QCPErrorBars;
class QCPItemStraightLine;
class QCPItemText;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;
class QSpinBox;
class QTableWidget;

namespace topiary {

class CriteriaComparisonView : public QWidget {
    Q_OBJECT

public:
    explicit CriteriaComparisonView(QWidget* parent = nullptr);

    // The rankings of a layer (replaces the previous layer's; keeps the measurement only
    // when it is of the same layer and fraction).
    void setComparison(const CriteriaComparison& comparison);
    // Nothing to compare (no layer selected, or none that filter pruning can reach).
    void clearComparison(const QString& why);
    // Measured accuracies; fed progressively while measuring (criteria not yet measured
    // have no bar).
    void setMeasurement(const CriteriaMeasurement& measurement);
    void clearMeasurement();
    // While measuring: progress, "Measuring L2…", Stop enabled, Measure disabled.
    void setMeasuring(bool measuring);
    void setError(const QString& message);

    double fraction() const; // 0..0.9
    void setFraction(double fraction); // does not emit fractionChanged

    // The marked filter (clicked, or under the mouse), -1 for none. Setting it follows the
    // filter: when none of its marks is in sight, the table scrolls to the nearest.
    int highlightedFilter() const;
    void setHighlightedFilter(int filter);

    // For tests and automation.
    QTableWidget* rankingTable() const { return m_rankings; }
    QTableWidget* overlapTable() const { return m_overlaps; }
    QCustomPlot* plot() const { return m_plot; }
    QCPBars* bars() const { return m_bars; }
    QPushButton* measureButton() const { return m_measure; }
    QPushButton* stopButton() const { return m_stop; }
    QSpinBox* fractionSpinBox() const { return m_spin; }
    QSlider* fractionSlider() const { return m_slider; }
    QString statusText() const;

signals:
    void fractionChanged(double fraction);
    void measureRequested(double fraction);
    void stopRequested();
    void filterHighlighted(int filter);

protected:
    void changeEvent(QEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void retranslateUi();
    void rebuildRankings();
    void recolourRankings();
    void revealFollowed();
    void rebuildOverlaps();
    void rebuildChart();
    void updateStatus();
    void onFractionControl(int percent);
    QString criterionText(Criterion criterion) const;

    QLabel* m_title = nullptr;
    QLabel* m_fractionLabel = nullptr;
    QSpinBox* m_spin = nullptr;
    QSlider* m_slider = nullptr;
    QPushButton* m_measure = nullptr;
    QPushButton* m_stop = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_rankingsLabel = nullptr;
    QTableWidget* m_rankings = nullptr;
    QLabel* m_filterInfo = nullptr;
    QLabel* m_overlapsLabel = nullptr;
    QTableWidget* m_overlaps = nullptr;
    QCustomPlot* m_plot = nullptr;
    QCPBars* m_bars = nullptr;
    QCPErrorBars* m_errors = nullptr;
    QCPItemStraightLine* m_baseline = nullptr;
    QCPItemText* m_baselineLabel = nullptr;
    QCPItemText* m_placeholder = nullptr; // until something is measured

    CriteriaComparison m_comparison;
    bool m_hasComparison = false;
    QString m_emptyReason;
    CriteriaMeasurement m_measurement;
    bool m_hasMeasurement = false;
    bool m_measuring = false;
    QString m_error;
    int m_pinned = -1; // clicked filter
    int m_hovered = -1; // filter under the mouse
    bool m_revealPending = false; // revealFollowed() waits for the table to be shown
};

} // namespace topiary
