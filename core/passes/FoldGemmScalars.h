// Folds Gemm's alpha and beta into its constant B and C: OpenCV 4.6 ignores both
// attributes and computes A·B + C whatever they say. A Gemm whose scaled operand is not
// a constant is left as it is.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void foldGemmScalars(onnx::ModelProto& model);

} // namespace topiary
