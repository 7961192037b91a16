// Reading an ONNX node's attributes, and the element count of a shape: the few helpers
// every part of core that looks at nodes needs, in one place.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace topiary {

// The attribute called `name`, or nullptr.
const onnx::AttributeProto* attributeNamed(const onnx::NodeProto& node, std::string_view name);
// An integer / float attribute, or `fallback` when the node does not have it.
int64_t intAttribute(const onnx::NodeProto& node, std::string_view name, int64_t fallback);
float floatAttribute(const onnx::NodeProto& node, std::string_view name, float fallback);
// An integer-list attribute, or nullopt when the node does not have it.
std::optional<std::vector<int64_t>> intsAttribute(const onnx::NodeProto& node, std::string_view name);

// Elements of a tensor with these dims (1 for a scalar); 0 when a dim is unknown
// (negative), so an unknown size never passes for a real one.
int64_t product(std::span<const int64_t> dims);

} // namespace topiary
