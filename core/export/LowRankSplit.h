// Rewrites a factored layer as two layers in a ModelProto: Conv k×k (Cin -> r filters,
// the original strides/pads/dilations) followed by a 1×1 Conv (r -> Cout, the bias);
// Gemm/MatMul with a constant weight -> two Gemms (or MatMuls) through r features.
// The factors come from lowRank() on the layer's current weight.
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>

#include <string>

namespace topiary {

struct LowRankFactors;

// The initializers splitLowRank wrote for the two factors.
struct LowRankWeights {
    std::string first;
    std::string second;
};

// nodeName: the layer's node (by name; the proto's nodes must still be in the source
// order or at least keep that node). weight: its weight initializer.
Result<LowRankWeights> splitLowRank(onnx::ModelProto& proto, const std::string& nodeName, const LowRankFactors& factors);

} // namespace topiary
