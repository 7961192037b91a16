// apply(Model, Plan): the compressed model as a new ModelProto. Masked keeps every shape
// (pruned weights are zeros, quantized weights their dequantized floats); shrunk also
// removes pruned channels through their dependency groups. Low-rank layers become two
// layers in both; int8 QDQ writes 8-bit uniform weights as QuantizeLinear-free
// DequantizeLinear(int8 initializer) pairs that ONNX Runtime fuses; float16 storage writes
// float16 layers as FLOAT16 initializers widened by Cast; 8-bit activations (with the
// plan's calibrated ranges) become QuantizeLinear/DequantizeLinear pairs in every form
// (ActivationQdq). The source model is never modified.
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace topiary {

class Model;
class Plan;
struct PruneSelection;

// Replacement values for float constants of the source model (same names, element counts
// and layout), used instead of the stored values before the plan is applied: how weights
// repaired by recovery (core/recover) reach every export form, masked, shrunk, QDQ or
// float16 alike. A replaced tensor read by several nodes changes for all of them.
using ConstantValues = std::map<std::string, std::vector<float>, std::less<>>;

struct ApplyOptions {
    bool shrink = false; // physically remove pruned channels
    bool int8Qdq = false; // 8-bit (and 7-bit) uniform weights as int8 + DequantizeLinear
    bool float16 = false; // float16 weights (and factors) as FLOAT16 + Cast(to=FLOAT)
    const ConstantValues* values = nullptr; // replaced constants (recovered weights), or none
};

// What apply() did, for the export dialog and the CLI report.
struct ApplyReport {
    int64_t removedChannels = 0; // group channels removed (shrunk) or zeroed (masked)
    int64_t zeroedWeights = 0; // weights set to zero by element or filter pruning
    int quantizedLayers = 0;
    int factoredLayers = 0;
    int qdqWeights = 0;
    int float16Weights = 0; // weights written as FLOAT16 + Cast
    int qdqActivations = 0; // 8-bit activations as QuantizeLinear/DequantizeLinear pairs
};

struct AppliedModel {
    onnx::ModelProto proto;
    ApplyReport report;
};

// Validates the plan against the model first (validatePlan); any problem is an error.
// selection: from selectPruned(); computed with weightScorer() when null.
Result<AppliedModel> apply(const Model& model, const Plan& plan, const ApplyOptions& options = {},
    const PruneSelection* selection = nullptr);

} // namespace topiary
