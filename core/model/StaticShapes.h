// Static tensor shapes by value name, from the graph's declarations and ONNX shape
// inference, for passes that must know how operands broadcast. The model comes back
// with the value infos it had: inferred ones are not left behind in it.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace topiary {

using ShapeMap = std::unordered_map<std::string, std::vector<int64_t>>;

// Only fully known shapes are listed; initializers are included.
ShapeMap inferStaticShapes(onnx::ModelProto& model);

} // namespace topiary
