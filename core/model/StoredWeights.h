// Weights stored in fewer bits than float32, widened when the model loads: the read side
// of export/WeightStorage, kept at the model level so loading needs nothing above it.
#pragma once

#include <onnx/onnx_pb.h>

namespace topiary {

// Each Cast(to=FLOAT) of an inline FLOAT16 or DOUBLE
// initializer and each DequantizeLinear of constant int8/uint8/int32 codes (as
// export/WeightStorage writes, and as other converters and quantizers do) becomes a float32
// initializer under the node's output name, so every analysis sees a plain weight. The
// stored tensors go when nothing else reads them.
struct WidenedWeights {
    int cast = 0;        // float16 (or double) behind a Cast
    int dequantized = 0; // 8-bit (or int32) codes behind a DequantizeLinear
    int total() const { return cast + dequantized; }
};
WidenedWeights widenStoredWeights(onnx::ModelProto& proto);

} // namespace topiary
