// How big plots draw. Presentation mode makes text and lines larger for a room: text
// follows the application font (a followed plot rescales every axis, legend and label
// font when its widget's font changes, keeping their relative sizes), and lines follow
// lineScale() (a followed plot rescales every pen and marker it has when the scale
// changes; pens the plot makes later come from pen() and markerSize(), so they agree).
#pragma once

#include <QColor>
#include <QFont>
#include <QPen>

class QCustomPlot;

namespace topiary::plotstyle {

double lineScale();
void setLineScale(double scale); // every followed plot rescales and replots

QPen pen(const QColor& color, double width = 1.0, Qt::PenStyle style = Qt::SolidLine);
double markerSize(double size);

// Keeps `plot`'s fonts in step with its own font and its pens with lineScale(), from now
// on. The plot is taken to be drawn at the current scale: its own pens come from pen().
void follow(QCustomPlot* plot);

// The histograms' shared set-up: the bottom and left axes' labels at 0.9 of `base` (the
// inspector's small plots), and a hidden [0, 1] right axis on which lines span the full
// height whatever the counts. Returns that smaller font, for the plot's other texts.
QFont setUpHistogramAxes(QCustomPlot* plot, const QFont& base);

} // namespace topiary::plotstyle
