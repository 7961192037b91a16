#include "core/passes/FoldConstantNodes.h"

#include "core/model/GraphEdit.h"

#include <optional>

namespace topiary {

namespace {

std::optional<onnx::TensorProto> constantValue(const onnx::NodeProto& node)
{
    if (node.attribute_size() != 1 || node.output_size() != 1)
        return std::nullopt;
    const auto& attr = node.attribute(0);
    const std::string& out = node.output(0);
    if (attr.name() == "value" && attr.has_t()) {
        onnx::TensorProto t = attr.t();
        t.set_name(out);
        return t;
    }
    if (attr.name() == "value_float")
        return makeFloatTensor(out, {}, { attr.f() });
    if (attr.name() == "value_floats")
        return makeFloatTensor(out, { attr.floats_size() }, { attr.floats().begin(), attr.floats().end() });
    if (attr.name() == "value_int")
        return makeIntTensor(out, {}, { attr.i() });
    if (attr.name() == "value_ints")
        return makeIntTensor(out, { attr.ints_size() }, { attr.ints().begin(), attr.ints().end() });
    return std::nullopt; // sparse and string constants stay nodes
}

} // namespace

void foldConstantNodes(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    removeNodesIf(graph, [&graph](const onnx::NodeProto& node) {
        const bool isConstant = node.op_type() == "Constant" && (node.domain().empty() || node.domain() == "ai.onnx");
        if (!isConstant || isGraphOutput(graph, node.output(0)))
            return false;
        auto value = constantValue(node);
        if (!value)
            return false;
        *graph.add_initializer() = std::move(*value);
        return true;
    });
}

} // namespace topiary
