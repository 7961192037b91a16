// Text on plots that must not be cut off: axis titles wrapped onto more lines when the
// axis is shorter than the title (a long "Top-1 accuracy (%), measured: solid" on a short
// vertical axis lost both ends), and legends hidden when they would not fit their plot.
#pragma once

#include <QString>

class QCPAxis;
class QCPLegend;
class QFontMetrics;

namespace topiary::plottext {

// Words of text on lines no wider than width pixels (a single word longer than that
// stays on its own line).
QString wrapped(const QString& text, const QFontMetrics& metrics, int width);

// Sets the axis title and keeps it wrapped to the axis's length on every replot.
void setFittedLabel(QCPAxis* axis, const QString& label);
// The title as given to setFittedLabel (the axis shows it wrapped).
QString fullLabel(const QCPAxis* axis);

// Hides the legend while its size exceeds its axis rect's (less a margin), shows it
// otherwise; `wanted` says whether it should be shown at all. Call before each replot.
void fitLegend(QCPLegend* legend, bool wanted);

} // namespace topiary::plottext
