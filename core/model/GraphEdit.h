// Small helpers the graph passes share: finding initializers, reading the values of
// small constant tensors and rewiring the uses of a value.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace topiary {

onnx::TensorProto* findInitializer(onnx::GraphProto& graph, const std::string& name);
const onnx::TensorProto* findInitializer(const onnx::GraphProto& graph, const std::string& name);

bool isGraphOutput(const onnx::GraphProto& graph, const std::string& name);

// Replaces every use of `from` as a node input by `to`, including uses inside subgraphs
// that capture it from the outer scope.
void renameUses(onnx::GraphProto& graph, const std::string& from, const std::string& to);

// Adds t to the model's initializers, and to its graph inputs when its IR version (< 4)
// requires every initializer to be listed there.
void addInitializer(onnx::ModelProto& model, onnx::TensorProto t);

// The version of the default (ai.onnx) domain the model imports; 0 when it imports none.
int64_t defaultOpset(const onnx::ModelProto& model);

int64_t elementCount(const onnx::TensorProto& tensor);

bool hasExternalData(const onnx::TensorProto& tensor);

// Values of an integer tensor (INT8..INT64, UINT8..UINT32, BOOL) widened to int64;
// nullopt for other types, external data or inconsistent sizes.
std::optional<std::vector<int64_t>> readInts(const onnx::TensorProto& tensor);
// Values of a FLOAT, DOUBLE or FLOAT16 tensor as float; nullopt otherwise.
std::optional<std::vector<float>> readFloats(const onnx::TensorProto& tensor);

onnx::TensorProto makeIntTensor(
    const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& values);
onnx::TensorProto makeFloatTensor(
    const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values);

// Removes the nodes for which pred(node) is true, keeping the order of the rest.
template <class Pred> void removeNodesIf(onnx::GraphProto& graph, Pred pred)
{
    auto* nodes = graph.mutable_node();
    int kept = 0;
    for (int i = 0; i < nodes->size(); ++i) {
        if (pred(static_cast<const onnx::NodeProto&>(nodes->Get(i))))
            continue;
        if (kept != i)
            nodes->SwapElements(kept, i);
        ++kept;
    }
    nodes->DeleteSubrange(kept, nodes->size() - kept);
}

// Rebuilds the node list in order, letting `rewrite(node, before)` edit each node and
// append new nodes to `before`, which are inserted just ahead of it (so the graph stays
// topologically sorted).
template <class Rewrite> void rewriteNodes(onnx::GraphProto& graph, Rewrite rewrite)
{
    google::protobuf::RepeatedPtrField<onnx::NodeProto> old;
    old.Swap(graph.mutable_node());
    for (auto& node : old) {
        std::vector<onnx::NodeProto> before;
        rewrite(node, before);
        for (auto& b : before)
            *graph.add_node() = std::move(b);
        *graph.add_node() = std::move(node);
    }
}

// Hands out value and node names that the graph does not use yet.
class NameAllocator {
public:
    explicit NameAllocator(const onnx::GraphProto& graph);
    std::string fresh(const std::string& base);

private:
    std::unordered_set<std::string> m_used;
};

} // namespace topiary
