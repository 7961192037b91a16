// Puts the full-size operand first in broadcasting Add, Sub and Mul of two computed
// tensors: OpenCV 4.6 sizes the result by its first input and fails at run time when
// that is the smaller one. Add and Mul are swapped; Sub(a, x) becomes Add(Neg(x), a).
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void orderBroadcastOperands(onnx::ModelProto& model);

} // namespace topiary
