// Weights stored in fewer bits than float32 and widened by a node when the model loads,
// in forms every ONNX runtime runs. Each replaces a float weight (an initializer or a
// Constant node) by smaller stored tensors feeding one node whose output takes the
// weight's name, so every reader is unchanged:
//   int8 QDQ: int8 codes, a scale and a zero point into DequantizeLinear (ONNX Runtime
//             fuses it); per-channel scales use DequantizeLinear's axis (opset >= 13).
//   float16:  the weight as FLOAT16 into Cast(to=FLOAT) (half the bytes).
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>

#include <string>

namespace topiary {

struct QuantizedTensor;

// tensor: the float initializer to replace; q: its 8-bit Uniform quantization (codes in
// [-127, 127] symmetric / [0, 255] asymmetric, one scale per tensor or along q.channelAxis).
Result<void> insertWeightDequantize(onnx::ModelProto& proto, const std::string& tensor, const QuantizedTensor& q);

// tensor: a float32 weight whose values are already half-rounded (float16 quantization);
// stored as FLOAT16 (round to nearest even) under a fresh name, widened by Cast.
Result<void> insertWeightCast(onnx::ModelProto& proto, const std::string& tensor);

} // namespace topiary
