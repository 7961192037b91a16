// Moves Clip's min/max from constant inputs (opset >= 11) back to the min/max attributes
// of opset 6, the only form OpenCV 4.6 reads. The result is for OpenCV, not the checker.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void clipInputsToAttributes(onnx::ModelProto& model);

} // namespace topiary
