#include "core/passes/FoldIdentityOnConstants.h"

#include "core/model/GraphEdit.h"

#include <string>
#include <unordered_set>

namespace topiary {

void foldIdentityOnConstants(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    std::unordered_set<std::string> constants;
    for (const auto& t : graph.initializer())
        constants.insert(t.name());

    // Nodes are in topological order, so a chain Identity(Identity(w)) folds in one walk:
    // renaming the first output makes the second Identity's input an initializer.
    std::unordered_set<const onnx::NodeProto*> folded;
    for (const auto& node : graph.node()) {
        const bool isIdentity = node.op_type() == "Identity" && (node.domain().empty() || node.domain() == "ai.onnx");
        if (!isIdentity || node.input_size() != 1 || node.output_size() != 1)
            continue;
        const std::string& src = node.input(0);
        const std::string& dst = node.output(0);
        if (!constants.contains(src))
            continue;
        if (isGraphOutput(graph, dst)) {
            // The graph promises a value under this name: give the constant that name.
            onnx::TensorProto copy = *findInitializer(graph, src);
            copy.set_name(dst);
            *graph.add_initializer() = std::move(copy);
            constants.insert(dst);
        } else {
            renameUses(graph, dst, src);
        }
        folded.insert(&node);
    }
    removeNodesIf(graph, [&folded](const onnx::NodeProto& node) { return folded.contains(&node); });
}

} // namespace topiary
