// The one colour scale for values on a range (filter importance, a layer metric):
// viridis, perceptually even, readable in grey and by colour-blind users. The graph's
// boxes and its legend, the importance heatmap and the network overview all take their
// colours from here, so a colour means the same place on the scale in every view.
#pragma once

#include <QColor>

class QCPColorGradient;
class QLinearGradient;

namespace topiary {

// Viridis at t in [0, 1] (clamped; NaN counts as 0): dark blue (68, 1, 84) through
// green to yellow (253, 231, 37), linear between matplotlib's nine evenly spaced stops.
QColor viridis(double t);

// The same scale for QCustomPlot colour maps and scales; NaN cells are transparent.
QCPColorGradient viridisGradient();

// Adds the stops to a painter gradient, t = 0 at its start and 1 at its end.
void addViridisStops(QLinearGradient& gradient);

} // namespace topiary
