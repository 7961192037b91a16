// Rewrites every QuantizeLinear -> DequantizeLinear pair on a computed tensor (the 8-bit
// activations of a QDQ model, ActivationQdq) into one fake-quantization node, which
// OpenCV 4.6 runs as a custom layer (core/eval/FakeQuantizeLayer): OpenCV imports
// QuantizeLinear only on constants. The node computes what ONNX Runtime's pair computes,
// (clamp(round_half_even(x / scale) + zero_point, qmin, qmax) - zero_point) * scale, with
// scale, zero point and the code range (uint8 0..255, int8 -128..127) as attributes
// (fq_scale, fq_zero_point, fq_qmin, fq_qmax). Its output keeps the DequantizeLinear's name,
// unless that ends in "quantized", which OpenCV 4.6 reserves for Caffe2 int8 tensors.
// Pairs on constants (weights) are left to widenStoredWeights; a QuantizeLinear whose
// codes something else reads, or a pair whose two halves disagree on the parameters, is
// left as it is.
#pragma once

#include <onnx/onnx_pb.h>

#include <string_view>

namespace topiary {

// The node's op type (default domain) and the OpenCV layer type it imports as.
inline constexpr std::string_view kFakeQuantizeOp = "TopiaryFakeQuantize";

void fuseActivationQdq(onnx::ModelProto& model);

} // namespace topiary
