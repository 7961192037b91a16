// Shapes of every tensor, from ONNX shape inference run node by node on a light copy of
// the model: node contracts that crash ONNX 1.12's inference are checked first (with the
// input ranks known so far), shape computations are folded as they are met, and symbolic
// input dims can be pinned to 1. The model itself is never modified.
#pragma once

#include "core/base/Error.h"
#include "core/model/TensorInfo.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace topiary {

// order: node indices of m's graph in topological order. Problems that do not stop
// inference are appended to warnings; a broken node contract is an error.
Result<std::unordered_map<std::string, TensorInfo>> inferShapes(const onnx::ModelProto& m,
                                                                 const std::vector<int>& order,
                                                                 const std::unordered_set<std::string>& realInputs,
                                                                 bool pinSymbolicDims,
                                                                 std::vector<std::string>& warnings);

} // namespace topiary
