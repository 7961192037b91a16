#include "core/passes/ClipInputsToAttributes.h"

#include "core/model/GraphEdit.h"

#include <optional>

namespace topiary {

namespace {

// The scalar value of a constant input; nullopt if it is not a one-element constant.
std::optional<float> scalarInput(const onnx::GraphProto& graph, const std::string& name)
{
    const onnx::TensorProto* t = findInitializer(graph, name);
    if (!t || elementCount(*t) != 1)
        return std::nullopt;
    auto values = readFloats(*t);
    if (!values)
        return std::nullopt;
    return values->front();
}

void setFloatAttr(onnx::NodeProto& node, const std::string& name, float value)
{
    auto* attr = node.add_attribute();
    attr->set_name(name);
    attr->set_type(onnx::AttributeProto_AttributeType_FLOAT);
    attr->set_f(value);
}

} // namespace

void clipInputsToAttributes(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    for (auto& node : *graph.mutable_node()) {
        if (node.op_type() != "Clip" || node.input_size() < 2)
            continue;
        std::optional<float> bounds[2];
        bool constant = true;
        for (int i = 1; i < node.input_size() && i < 3; ++i) {
            if (node.input(i).empty())
                continue;
            bounds[i - 1] = scalarInput(graph, node.input(i));
            constant = constant && bounds[i - 1].has_value();
        }
        if (!constant)
            continue; // data-dependent bounds: nothing OpenCV 4.6 can express
        node.mutable_input()->DeleteSubrange(1, node.input_size() - 1);
        if (bounds[0])
            setFloatAttr(node, "min", *bounds[0]);
        if (bounds[1])
            setFloatAttr(node, "max", *bounds[1]);
    }
}

} // namespace topiary
