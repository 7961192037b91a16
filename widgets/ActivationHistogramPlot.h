// The selected layer's input activation as calibration saw it: a histogram of the values
// the tensor took on the calibration images (counts on a logarithmic axis: after a ReLU
// most values are 0), with the calibrated 8-bit range drawn as two lines and the values
// it clips shaded. Takes what the core computed (coarseHistogram, the plan's range) and
// never computes one itself; with nothing to show it says why in one line.
#pragma once

#include "widgets/PlotWidget.h"

#include <QString>

#include <optional>
#include <utility>

class QCustomPlot;
class QCPBars;
class QCPItemStraightLine;
class QCPItemText;
class QLabel;

namespace topiary {

struct Histogram;

class ActivationHistogramPlot : public PlotWidget {
    Q_OBJECT

public:
    explicit ActivationHistogramPlot(QWidget* parent = nullptr);
    QSize sizeHint() const override { return { 480, 180 }; }

    using Range = std::pair<double, double>;
    // The values (may have no counts: a min/max calibration keeps none), the calibrated
    // range, the tensor's name and how the range was chosen, for the caption.
    void setData(const Histogram& histogram, Range range, bool symmetric, const QString& tensor, const QString& method);
    // Nothing to draw; `note` says why (empty: the layer's activations are float).
    void clear(const QString& note = {});

    // What is drawn, for tests (the caption: scheme, range and method; the tensor's name is
    // in the tooltip).
    std::optional<Range> drawnRange() const;
    int drawnBinCount() const;
    int clippedBinCount() const;
    QString captionText() const;
    QString noteText() const;
    QCustomPlot* plot() const { return m_plot; }

protected:
    void changeEvent(QEvent* event) override;
    QString saveName(QCustomPlot* plot) const override;

private:
    void retranslateUi();
    void updateCaption();

    QCustomPlot* m_plot = nullptr;
    QLabel* m_note = nullptr;
    QCPBars* m_inside = nullptr;
    QCPBars* m_clipped = nullptr;
    QCPItemStraightLine* m_lines[2] = {};
    QCPItemText* m_caption = nullptr;
    std::optional<Range> m_range;
    bool m_symmetric = false;
    bool m_hasCounts = false;
    QString m_tensor;
    QString m_method;
};

} // namespace topiary
