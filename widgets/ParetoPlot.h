// The plans tried in this session on two trade-off charts side by side (a core ParetoSet):
// accuracy with its 95 % interval against model size, and against MACs. Each chart draws
// every plan as a dot, its Pareto front as a staircase (the best accuracy reachable at each
// cost), and rings the current plan. Hovering a dot describes its plan; clicking one asks the
// application to restore that plan.
#pragma once

#include "widgets/ClickTracker.h"

#include "core/analysis/ParetoSet.h"

#include "widgets/PlotWidget.h"

#include <array>

class QCustomPlot;
class QCPAxisRect;
class QCPErrorBars;
class QCPGraph;
class QLabel;
class QMouseEvent;

namespace topiary {

class ParetoPlot : public PlotWidget {
    Q_OBJECT

public:
    explicit ParetoPlot(QWidget* parent = nullptr);

    void setPoints(const ParetoSet& set);
    // The plan in the editor now (-1: none of the points).
    void setCurrent(int id);
    int current() const { return m_current; }
    void clear();

    // The point nearest a position in plot() within a few pixels, -1 if none.
    int pointAt(const QPoint& plotPos) const;
    // Where a point is drawn on one chart, in plot() coordinates (for tests and automation).
    QPoint pointPosition(int id, ParetoCost chart) const;
    // Graph objects of one chart: every point, the front's staircase, the current ring.
    QCPGraph* pointsGraph(ParetoCost chart) const { return m_charts[index(chart)].points; }
    QCPGraph* frontGraph(ParetoCost chart) const { return m_charts[index(chart)].front; }
    QCPGraph* currentGraph(ParetoCost chart) const { return m_charts[index(chart)].current; }
    // Plans measured after recovery, marked with a diamond around their point.
    QCPGraph* recoveredGraph(ParetoCost chart) const { return m_charts[index(chart)].recovered; }
    // A point's hover text: its label, accuracy with interval, size, MACs, Pareto-optimal or not.
    QString pointText(int id) const;

    QCustomPlot* plot() const { return m_plot; }

signals:
    void pointActivated(int id);

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Chart {
        QCPAxisRect* rect = nullptr;
        QCPGraph* points = nullptr;
        QCPErrorBars* errors = nullptr;
        QCPGraph* front = nullptr;
        QCPGraph* current = nullptr;
        QCPGraph* recovered = nullptr;
        QVector<int> ids; // of points' data, in data order (sorted by cost)
    };
    static size_t index(ParetoCost chart) { return chart == ParetoCost::Size ? 0 : 1; }

    void retranslateUi();
    void updateCharts();
    void updateCurrent();
    double xOf(const ParetoPoint& p, ParetoCost chart) const;
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);
    void onMouseRelease(QMouseEvent* event);

    QCustomPlot* m_plot = nullptr;
    QLabel* m_legend = nullptr;
    std::array<Chart, 2> m_charts;
    ParetoSet m_set;
    int m_current = -1;
    ClickTracker m_click;
};

} // namespace topiary
