#include "core/passes/OrderBroadcastOperands.h"

#include "core/model/GraphEdit.h"
#include "core/model/StaticShapes.h"
#include "core/model/NodeAttributes.h"

#include <unordered_set>

namespace topiary {

namespace {

bool isCandidate(const onnx::NodeProto& node)
{
    const std::string& op = node.op_type();
    return (op == "Add" || op == "Sub" || op == "Mul") && (node.domain().empty() || node.domain() == "ai.onnx")
        && node.input_size() == 2;
}

} // namespace

void orderBroadcastOperands(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    bool any = false;
    for (const auto& node : graph.node())
        any = any || isCandidate(node);
    if (!any)
        return;

    const ShapeMap shapes = inferStaticShapes(model);
    std::unordered_set<std::string> constants;
    for (const auto& t : graph.initializer())
        constants.insert(t.name());

    NameAllocator names(graph);
    rewriteNodes(graph, [&](onnx::NodeProto& node, std::vector<onnx::NodeProto>& before) {
        if (!isCandidate(node) || constants.contains(node.input(0)) || constants.contains(node.input(1)))
            return;
        const auto a = shapes.find(node.input(0));
        const auto b = shapes.find(node.input(1));
        if (a == shapes.end() || b == shapes.end())
            return;
        const int64_t countA = product(a->second);
        const int64_t countB = product(b->second);
        const bool smallerFirst = countA < countB || (countA == countB && a->second.size() < b->second.size());
        if (!smallerFirst)
            return;

        if (node.op_type() != "Sub") {
            node.mutable_input()->SwapElements(0, 1);
            return;
        }
        // a - x == (-x) + a exactly: negation is exact and addition commutes.
        onnx::NodeProto neg;
        neg.set_op_type("Neg");
        neg.set_name(names.fresh(node.name() + "/neg"));
        neg.add_input(node.input(1));
        const std::string negated = names.fresh(node.input(1) + "/neg");
        neg.add_output(negated);
        before.push_back(std::move(neg));

        const std::string a0 = node.input(0);
        node.set_op_type("Add");
        node.set_input(0, negated);
        node.set_input(1, a0);
    });
}

} // namespace topiary
