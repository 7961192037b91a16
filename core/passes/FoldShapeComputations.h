// Folds shape arithmetic on static shapes (Shape -> Gather -> Add/Div -> Unsqueeze ->
// Concat -> Slice/Reshape, as PyTorch emits for view() and chunk()) into initializers.
// OpenCV 4.6 cannot evaluate most of it, e.g. an Add of a scalar and a 1-element tensor.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void foldShapeComputations(onnx::ModelProto& model);

} // namespace topiary
