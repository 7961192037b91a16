// Rewrites Div(a, x) as Mul(a, Reciprocal(x)) where OpenCV 4.6 silently computes x / a: a
// constant non-scalar numerator, or a computed one smaller than x. Same math, rounded like
// OpenCV's own Div, which also multiplies by a reciprocal.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void rewriteReversedDiv(onnx::ModelProto& model);

} // namespace topiary
