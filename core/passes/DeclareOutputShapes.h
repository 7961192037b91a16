// Gives graph outputs without a declared shape their inferred one (or an empty one when
// ONNX cannot infer it): OpenCV 4.6 asserts on outputs without a shape, although it only
// prints them.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

void declareOutputShapes(onnx::ModelProto& model);

} // namespace topiary
