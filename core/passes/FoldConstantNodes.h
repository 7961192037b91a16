// Turns Constant nodes into initializers, so that later passes (and OpenCV) see every
// constant tensor in one place.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void foldConstantNodes(onnx::ModelProto& model);

} // namespace topiary
