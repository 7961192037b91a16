// Folding a Conv's BatchNormalization into the Conv for 8-bit activations: ONNX Runtime runs
// a Conv as QLinearConv only when a QuantizeLinear reads its output directly, and the int8
// weights must be the folded ones (scale γ/√(σ²+ε) per output channel) for the codes to be
// what runs. Done in two steps around apply's channel shrinking, which still needs the
// BatchNormalization node: first the weights are scaled and the node's parameters become an
// identity plus a per-channel shift (foldIntoWeights), then the node is removed and the
// shift added to the Conv's bias (removeFoldedBatchNorms).
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>

#include <span>
#include <string>
#include <vector>

namespace topiary {

// The constants of one BatchNormalization node (its inputs 1-4) and its epsilon.
struct BatchNormValues {
    std::vector<float>* scale = nullptr;
    std::vector<float>* bias = nullptr;
    std::vector<float>* mean = nullptr;
    std::vector<float>* var = nullptr;
    float epsilon = 1e-5f;
};

// Scales the Conv weight (output channels on axis 0) by γ/√(σ²+ε) and rewrites the node to
// γ = 1, μ = 0, σ² = 1 - ε, β = (b - μ)·γ/√(σ²+ε) + β - b, so Conv + node computes what it
// did (b: the Conv's bias, empty when it has none). Errors: sizes that do not match.
Result<void> foldIntoWeights(std::vector<float>& weight, std::span<const float> convBias, const BatchNormValues& bn);

// Removes the BatchNormalization nodes with these outputs, each after a Conv whose
// weights foldIntoWeights scaled: the node's β is added to the Conv's bias (a fresh
// initializer, as biases may be shared) and the Conv writes the node's output. Unused
// initializers left behind are dropped. Returns how many were removed. Errors: a node that
// is not a BatchNormalization right after a Conv with constant parameters.
Result<int> removeFoldedBatchNorms(onnx::ModelProto& proto, const std::vector<std::string>& outputs);

} // namespace topiary
