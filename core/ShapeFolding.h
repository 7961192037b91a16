// Folds the small integer "shape computations" exporters emit (Shape -> Gather -> Div ->
// Mul -> Slice ..., as in ShuffleNet's channel split) into Constant nodes once the shapes
// they read are known, so that ONNX shape inference can see through them. Used on the
// loader's shape-inference copy, and usable by any pass that needs static shapes.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace topiary {

// shapes: fully known shapes of tensors (no unknown dims). Returns the number of nodes
// replaced by Constant nodes.
int foldShapeComputations(onnx::GraphProto& graph,
                          const std::unordered_map<std::string, std::vector<int64_t>>& shapes);

} // namespace topiary
