// int8 weights in the QDQ format ONNX Runtime consumes: a float weight initializer is
// replaced by an int8 initializer (the codes), a scale and a zero point, feeding a
// DequantizeLinear node whose output takes the weight's name, so every reader is
// unchanged. Per-channel scales use DequantizeLinear's axis (opset >= 13).
#pragma once

#include "core/Error.h"

#include <onnx/onnx_pb.h>

#include <string>

namespace topiary {

struct QuantizedTensor;

// tensor: the float initializer to replace; q: its 8-bit Uniform quantization (codes in
// [-127, 127] symmetric / [0, 255] asymmetric, one scale per tensor or along q.channelAxis).
Result<void> insertWeightDequantize(onnx::ModelProto& proto, const std::string& tensor, const QuantizedTensor& q);

} // namespace topiary
