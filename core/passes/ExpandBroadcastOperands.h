// Materializes broadcasts OpenCV 4.6's Add/Sub/Mul/Div cannot do (all but per-channel and
// constant scalars, e.g. [1,1,H,W], [W], a computed scalar): constants are tiled, computed
// tensors go through the Expand forms OpenCV imports. Same values, exactly.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void expandBroadcastOperands(onnx::ModelProto& model);

} // namespace topiary
