#include "core/passes/RewriteReversedDiv.h"

#include "core/model/GraphEdit.h"
#include "core/model/StaticShapes.h"
#include "core/model/NodeAttributes.h"

#include <optional>

namespace topiary {

namespace {

bool isDiv(const onnx::NodeProto& node)
{
    return node.op_type() == "Div" && (node.domain().empty() || node.domain() == "ai.onnx") && node.input_size() == 2;
}

} // namespace

void rewriteReversedDiv(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    bool any = false;
    for (const auto& node : graph.node())
        any = any || isDiv(node);
    if (!any)
        return;

    const ShapeMap shapes = inferStaticShapes(model);
    auto count = [&shapes](const std::string& name) -> std::optional<int64_t> {
        auto it = shapes.find(name);
        if (it == shapes.end())
            return std::nullopt;
        return product(it->second);
    };

    NameAllocator names(graph);
    rewriteNodes(graph, [&](onnx::NodeProto& node, std::vector<onnx::NodeProto>& before) {
        if (!isDiv(node))
            return;
        const std::string& numerator = node.input(0);
        const std::string& denominator = node.input(1);
        if (findInitializer(graph, denominator))
            return; // x / constant: OpenCV scales by the reciprocal, correctly
        bool reversed = false;
        if (const auto* c = findInitializer(graph, numerator)) {
            reversed = elementCount(*c) > 1;
        } else {
            const auto a = count(numerator);
            const auto x = count(denominator);
            reversed = a && x && *a < *x;
        }
        if (!reversed)
            return;

        onnx::NodeProto reciprocal;
        reciprocal.set_op_type("Reciprocal");
        reciprocal.set_name(names.fresh(node.name() + "/reciprocal"));
        reciprocal.add_input(denominator);
        const std::string inverse = names.fresh(denominator + "/reciprocal");
        reciprocal.add_output(inverse);
        before.push_back(std::move(reciprocal));

        node.set_op_type("Mul");
        node.set_input(1, inverse);
    });
}

} // namespace topiary
