#include "core/passes/EliminateDeadCode.h"

#include "core/model/GraphEdit.h"

#include <string>
#include <unordered_set>

namespace topiary {

namespace {

void collectUses(const onnx::GraphProto& graph, std::unordered_set<std::string>& used)
{
    for (const auto& node : graph.node()) {
        used.insert(node.input().begin(), node.input().end());
        for (const auto& attr : node.attribute()) {
            if (attr.has_g())
                collectUses(attr.g(), used);
            for (const auto& g : attr.graphs())
                collectUses(g, used);
        }
    }
    for (const auto& o : graph.output())
        used.insert(o.name());
}

} // namespace

void eliminateDeadCode(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    // Walking backwards over a topologically sorted graph removes whole dead chains in one pass.
    std::unordered_set<std::string> used;
    for (const auto& o : graph.output())
        used.insert(o.name());
    std::unordered_set<const onnx::NodeProto*> dead;
    for (int i = graph.node_size() - 1; i >= 0; --i) {
        const auto& node = graph.node(i);
        bool live = false;
        for (const auto& out : node.output())
            live = live || (!out.empty() && used.contains(out));
        if (!live) {
            dead.insert(&node);
            continue;
        }
        std::unordered_set<std::string> sub;
        for (const auto& attr : node.attribute()) {
            if (attr.has_g())
                collectUses(attr.g(), sub);
            for (const auto& g : attr.graphs())
                collectUses(g, sub);
        }
        used.insert(sub.begin(), sub.end());
        used.insert(node.input().begin(), node.input().end());
    }
    removeNodesIf(graph, [&dead](const onnx::NodeProto& node) { return dead.contains(&node); });

    std::unordered_set<std::string> unusedInits;
    auto* inits = graph.mutable_initializer();
    int kept = 0;
    for (int i = 0; i < inits->size(); ++i) {
        if (!used.contains(inits->Get(i).name())) {
            unusedInits.insert(inits->Get(i).name());
            continue;
        }
        if (kept != i)
            inits->SwapElements(kept, i);
        ++kept;
    }
    inits->DeleteSubrange(kept, inits->size() - kept);

    // Old (IR < 4) files also list initializers as graph inputs.
    auto* inputs = graph.mutable_input();
    kept = 0;
    for (int i = 0; i < inputs->size(); ++i) {
        if (unusedInits.contains(inputs->Get(i).name()))
            continue;
        if (kept != i)
            inputs->SwapElements(kept, i);
        ++kept;
    }
    inputs->DeleteSubrange(kept, inputs->size() - kept);
}

} // namespace topiary
