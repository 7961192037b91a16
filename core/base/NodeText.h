// How error messages name things: 'tensor' in quotes, nodes as "node 'name' (Op)".
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

namespace topiary {

inline std::string quote(const std::string& s) { return "'" + s + "'"; }

inline std::string describeNode(const onnx::NodeProto& n, int index)
{
    return "node " + (n.name().empty() ? "#" + std::to_string(index) : quote(n.name())) + " (" + n.op_type() + ")";
}

} // namespace topiary
