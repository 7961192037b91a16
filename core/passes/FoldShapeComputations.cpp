#include "core/passes/FoldShapeComputations.h"

#include "core/model/ConstantEvaluator.h"
#include "core/model/GraphEdit.h"
#include "core/model/StaticShapes.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace topiary {

namespace {

bool hasSubgraph(const onnx::NodeProto& node)
{
    for (const auto& a : node.attribute())
        if (a.has_g() || a.graphs_size() > 0)
            return true;
    return false;
}

bool isShapeOp(const onnx::NodeProto& node)
{
    return (node.op_type() == "Shape" || node.op_type() == "Size")
        && (node.domain().empty() || node.domain() == "ai.onnx");
}


} // namespace

void foldShapeComputations(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    const int64_t opset = defaultOpset(model);

    ShapeMap shapes;
    bool anyShapeOp = false;
    for (const auto& node : graph.node())
        anyShapeOp = anyShapeOp || isShapeOp(node);
    if (anyShapeOp)
        shapes = inferStaticShapes(model);

    std::unordered_map<std::string, const onnx::TensorProto*> initializers;
    for (const auto& t : graph.initializer())
        initializers.emplace(t.name(), &t);
    std::unordered_map<std::string, std::optional<ConstTensor>> values; // cache; nullopt = not foldable
    auto lookup = [&](const std::string& name) -> const ConstTensor* {
        auto it = values.find(name);
        if (it == values.end()) {
            auto init = initializers.find(name);
            std::optional<ConstTensor> v;
            if (init != initializers.end())
                v = readConstant(*init->second);
            it = values.emplace(name, std::move(v)).first;
        }
        return it->second ? &*it->second : nullptr;
    };

    std::unordered_set<const onnx::NodeProto*> folded;
    std::vector<onnx::TensorProto> newInitializers;
    for (const auto& node : graph.node()) {
        if (hasSubgraph(node) || node.output_size() != 1 || node.output(0).empty()
            || isGraphOutput(graph, node.output(0)))
            continue;

        std::optional<std::vector<ConstTensor>> outputs;
        if (isShapeOp(node)) {
            auto it = node.input_size() == 1 ? shapes.find(node.input(0)) : shapes.end();
            if (it == shapes.end())
                continue;
            if (auto v = evaluateShapeNode(node, it->second))
                outputs = std::vector<ConstTensor> { std::move(*v) };
        } else {
            if (!canEvaluate(node) || node.input_size() == 0)
                continue;
            bool allKnown = true; // by name, before reading any tensor
            for (const auto& name : node.input())
                allKnown = allKnown && (name.empty() || initializers.contains(name) || values.contains(name));
            if (!allKnown)
                continue;
            std::vector<const ConstTensor*> inputs;
            bool allConstant = true;
            for (const auto& name : node.input()) {
                const ConstTensor* v = name.empty() ? nullptr : lookup(name);
                allConstant = allConstant && (name.empty() || v);
                inputs.push_back(v);
            }
            if (!allConstant)
                continue;
            outputs = evaluateConstantNode(node, inputs, opset);
        }
        if (!outputs || outputs->size() != 1)
            continue;
        newInitializers.push_back(toTensorProto(outputs->front(), node.output(0)));
        values[node.output(0)] = std::move(outputs->front());
        folded.insert(&node);
    }
    if (folded.empty())
        return;
    removeNodesIf(graph, [&folded](const onnx::NodeProto& node) { return folded.contains(&node); });
    for (auto& t : newInitializers)
        *graph.add_initializer() = std::move(t);
}

} // namespace topiary
