#include "core/passes/FoldGemmScalars.h"

#include "core/model/GraphEdit.h"
#include "core/model/NodeAttributes.h"

#include <string>

namespace topiary {

namespace {

void eraseAttr(onnx::NodeProto& node, const char* name)
{
    auto* attrs = node.mutable_attribute();
    for (int i = 0; i < attrs->size(); ++i)
        if (attrs->Get(i).name() == name) {
            attrs->DeleteSubrange(i, 1);
            return;
        }
}

// A scaled copy of the constant `name`, added to the graph; "" when it is not a float constant.
std::string scaledCopy(onnx::GraphProto& graph, NameAllocator& names, const std::string& name, float factor)
{
    const onnx::TensorProto* t = findInitializer(graph, name);
    if (!t || t->data_type() != onnx::TensorProto_DataType_FLOAT)
        return {};
    auto values = readFloats(*t);
    if (!values)
        return {};
    for (auto& v : *values)
        v *= factor;
    const std::vector<int64_t> dims(t->dims().begin(), t->dims().end());
    const std::string copy = names.fresh(name + "_scaled");
    *graph.add_initializer() = makeFloatTensor(copy, dims, *values);
    return copy;
}

} // namespace

void foldGemmScalars(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    NameAllocator names(graph);
    for (auto& node : *graph.mutable_node()) {
        if (node.op_type() != "Gemm" || node.input_size() < 2)
            continue;
        const float alpha = floatAttribute(node, "alpha", 1.0f);
        const float beta = floatAttribute(node, "beta", 1.0f);
        const bool hasC = node.input_size() >= 3 && !node.input(2).empty();
        if (alpha == 1.0f && (beta == 1.0f || !hasC))
            continue;
        // Both folds must be possible, or the node keeps its attributes.
        std::string b = node.input(1);
        std::string c = hasC ? node.input(2) : std::string();
        if (alpha != 1.0f && !findInitializer(graph, b))
            continue;
        if (hasC && beta != 1.0f && !findInitializer(graph, c))
            continue;
        if (alpha != 1.0f)
            b = scaledCopy(graph, names, b, alpha);
        if (hasC && beta != 1.0f)
            c = scaledCopy(graph, names, c, beta);
        if (b.empty() || (hasC && c.empty()))
            continue;
        *node.mutable_input(1) = b;
        if (hasC)
            *node.mutable_input(2) = c;
        eraseAttr(node, "alpha");
        eraseAttr(node, "beta");
    }
}

} // namespace topiary
