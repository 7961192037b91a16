// Integer axis ticks that never run together ("0 3 6 9 1215"): before each replot the
// step grows through 1, 2, 5, 10, 20, 50... until every label has its own width (or, on
// a vertical axis, its line height) plus a gap, at the axis's current length in pixels.
// For axes whose ticks are indices: filters, input channels, levels.
#pragma once

class QCPAxis;

namespace topiary::plotticks {

// The smallest step of 1, 2, 5 × 10^k (at least 1) at which `span` units of an axis
// `pixels` long leave `labelPixels` per label.
int integerStep(double span, double pixels, double labelPixels);

// Gives the axis a fixed-step ticker and keeps its step fitted on every replot of its plot.
void fitIntegerTicks(QCPAxis* axis);

// Fits the step now (fitIntegerTicks does this before each replot).
void updateIntegerTicks(QCPAxis* axis);

} // namespace topiary::plotticks
