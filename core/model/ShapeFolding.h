// Folds the small integer "shape computations" exporters emit (Shape -> Gather -> Div ->
// Mul -> Slice ..., as in ShuffleNet's channel split) into Constant nodes once the shapes
// they read are known, so that ONNX shape inference can see through them. Used on the
// loader's shape-inference copy, node by node. The values are computed by the one
// constant evaluator (ConstantEvaluator); this walk adds only Shape and Size, which read
// the shape of their input rather than its value.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace topiary {

// Visits nodes in topological order and remembers the integer constants seen so far.
class ShapeFolder {
public:
    explicit ShapeFolder(const onnx::GraphProto& graph);  // seeds the initializers
    ~ShapeFolder();

    // Replaces n by a Constant node when it computes a small integer tensor from known
    // constants and fully known shapes; returns whether it did. Constant nodes are
    // remembered for the nodes that follow.
    bool fold(onnx::NodeProto& n, const std::unordered_map<std::string, std::vector<int64_t>>& shapes);

private:
    struct Known;
    std::unique_ptr<Known> m_known;
};

} // namespace topiary
