// Saving a QCustomPlot as an image file the user asked for, by the file's extension:
// PNG (bitmap), PDF (vector) or SVG (vector, through QSvgGenerator). Shared by every plot
// widget that offers "Save as…".
#pragma once

#include <QString>

class QCustomPlot;
class QWidget;

namespace topiary {

// Writes `plot` at its current size (800 x 500 if it was never laid out) to `path`; the extension (.png, .svg, .pdf, any case)
// chooses the format. False for an unknown extension or a file that cannot be written.
bool savePlotImage(QCustomPlot* plot, const QString& path);

// Asks for a file name (PNG, SVG or PDF) and saves `plot` there; reports a failure in a
// message box. `parent` owns the dialogs.
void savePlotImageInteractively(QCustomPlot* plot, QWidget* parent, const QString& suggestedName);

} // namespace topiary
