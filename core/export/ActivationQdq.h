// Writes a plan's 8-bit activations into an applied model as ONNX Runtime's QDQ format:
// a QuantizeLinear -> DequantizeLinear pair at every site of the ActivationPlacement, with
// the scale and zero point of its calibrated range (activationParams), a fused Relu dropped
// when uint8 codes clamp it already (a Clip when its bounds are [0, c] with c >= the
// range's top), and the float bias of every Conv/Gemm whose input and weight are both
// dequantized stored as int32 codes on scale s_input · s_weight (zero point 0), which ORT's
// selectors need to run the node as QLinearConv or QGemm. Weights stored as float values
// on a quantization grid (the evaluator's model) get their biases rounded to the same grid
// instead, so both compute the same. Needs opset 13 (per-channel DequantizeLinear).
#pragma once

#include "core/base/Error.h"
#include "core/export/ActivationPlacement.h"
#include "core/plan/ActivationRanges.h"

#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <vector>

namespace topiary {

struct ActivationQdqReport {
    int pairs = 0; // QuantizeLinear/DequantizeLinear pairs written
    int droppedActivations = 0; // Relu/Clip nodes the codes' clamp replaced
    int int32Biases = 0;
    int roundedBiases = 0; // float biases rounded to s_x · s_w (weights stored as float)
};

// Per weight tensor, the scales of its quantization grid (one, or one per output channel),
// for weights stored as float values on that grid.
using WeightScales = std::map<std::string, std::vector<float>>;

// Errors: a site whose range tensor is not in `ranges` (not calibrated), opset < 13.
Result<ActivationQdqReport> insertActivationQdq(onnx::ModelProto& proto, const ActivationPlacement& placement,
    const ActivationRanges& ranges, const WeightScales& weightScales = {});

} // namespace topiary
