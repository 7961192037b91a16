// Removes Identity nodes whose input is an initializer (PyTorch emits them when it
// de-duplicates equal weights); OpenCV 4.6 cannot import an Identity on a constant.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void foldIdentityOnConstants(onnx::ModelProto& model);

} // namespace topiary
