// A layer's weight histogram with the element-pruning cut the user can drag: bars of the
// bin counts, vertical lines at ±t (press near one, drag, release), the bins the cut
// prunes in grey, and the quantization levels as thin vertical lines. When the grid's range
// was chosen by MSE, its clipping range (two labelled lines) beside the min/max range.
// Takes values the core computed (LayerInspection pieces) and never computes one itself.
//
// Grey bins: a bin is grey when its centre lies inside (−t, t), i.e. when most of its
// width is pruned; a bin the cut crosses is therefore coloured by majority, not split.
// Bins entirely inside are always grey, bins entirely outside never.
#pragma once

#include "widgets/PlotWidget.h"

#include <optional>
#include <span>
#include <utility>

class QCustomPlot;
class QCPBars;
class QCPGraph;
class QCPItemStraightLine;
class QCPItemText;
class QMouseEvent;

namespace topiary {

struct Histogram;

class WeightHistogramPlot : public PlotWidget {
    Q_OBJECT

public:
    explicit WeightHistogramPlot(QWidget* parent = nullptr);
    QSize sizeHint() const override { return {480, 240}; }

    // threshold: the |w| cut of the layer's element spec (absent: no element pruning; the
    // lines then rest at 0, ready to be dragged out). prunedFraction: of the weights, for
    // the caption. levels: quantization levels, already clipped to the histogram's range.
    // While the user drags, the dragged cut stays where the mouse put it.
    void setData(const Histogram& histogram, std::optional<double> threshold, double prunedFraction,
                 std::span<const double> levels);
    void clear();
    // The clipping range an MSE search chose and the min/max range of the same channel
    // (QuantLevels::mseRange, minMaxRange); absent: no such lines.
    using Range = std::pair<double, double>;
    void setQuantRanges(std::optional<Range> chosen, std::optional<Range> minMax);

    // Writes the plot to a .png, .svg or .pdf file (by extension); false on failure.
    bool saveImage(const QString& path);

    // What is drawn, for tests and accessibility.
    double threshold() const { return m_threshold; }
    bool hasThreshold() const { return m_hasThreshold; }
    int greyBinCount() const;
    int drawnLevelCount() const;
    bool isDragging() const { return m_dragging; }
    bool logarithmicCounts() const { return m_logCounts; }
    void setLogarithmicCounts(bool on);
    QCustomPlot* plot() const { return m_plot; }
    // The ranges as drawn (their lines' x coordinates); absent when not drawn.
    std::optional<Range> drawnClipRange() const;
    std::optional<Range> drawnMinMaxRange() const;
    QString clipLabelText() const;
    QString captionText() const;

signals:
    // The cut as |w| while the user drags a line, and once more when the mouse is released.
    void thresholdDragged(double magnitude);
    void thresholdDragFinished(double magnitude);

protected:
    void changeEvent(QEvent* event) override;
    void addActionsAfterSave(QMenu& menu, QCustomPlot* plot, const QPoint& pos) override;
    QString saveName(QCustomPlot* plot) const override;
    QString saveTip(QCustomPlot* plot) const override;

private:
    void retranslateUi();
    void onPress(QMouseEvent* event);
    void onMove(QMouseEvent* event);
    void onRelease(QMouseEvent* event);
    bool nearLine(const QPointF& pos) const;
    double magnitudeAt(const QPointF& pos) const;
    void applyThreshold(double magnitude, bool active);
    void updateBars();
    void updateCaption();
    void updateLevelLines();
    void updateValueRange();
    void updateRangeLines();

    QCustomPlot* m_plot = nullptr;
    QCPBars* m_kept = nullptr;    // bins outside the cut
    QCPBars* m_pruned = nullptr;  // bins inside (−t, t), grey
    QCPGraph* m_levels = nullptr; // impulses at the quantization levels
    QCPItemStraightLine* m_lines[2] = {};
    QCPItemText* m_caption = nullptr;
    QCPItemStraightLine* m_clipLines[2] = {}; // the MSE clipping range
    QCPItemStraightLine* m_minMaxLines[2] = {};
    QCPItemText* m_clipLabel = nullptr;
    QCPItemText* m_minMaxLabel = nullptr;
    std::optional<Range> m_clip;
    std::optional<Range> m_minMax;
    int m_captionWidth = -1; // the axis rect width the caption was wrapped for

    std::vector<double> m_centres;
    std::vector<double> m_counts;
    std::vector<double> m_levelValues;
    int m_levelStep = 0; // every m_levelStep-th level is drawn (0: not decided yet)
    double m_binWidth = 1.0;
    double m_xLimit = 1.0;        // the x axis shows [−m_xLimit, m_xLimit]
    double m_maxCount = 1.0;
    double m_threshold = 0.0;
    bool m_hasThreshold = false;  // an element cut is in effect (or being dragged)
    double m_prunedFraction = 0.0;
    bool m_dragging = false;
    bool m_logCounts = false;
    bool m_empty = true;
};

} // namespace topiary
