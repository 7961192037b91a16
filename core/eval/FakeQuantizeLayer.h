// The OpenCV dnn layer that simulates 8-bit activations in Topiary's evaluator: OpenCV 4.6
// does not import QuantizeLinear on computed tensors, so the canonicalizer turns each
// QuantizeLinear -> DequantizeLinear pair of a QDQ graph into one "TopiaryFakeQuantize"
// node (core/passes/FuseActivationQdq) and this layer computes it as ONNX Runtime computes
// the pair: codes = clamp(round_half_even(x / scale) + zero_point, qmin, qmax), out =
// (codes - zero_point) * scale, in float. registerFakeQuantizeLayer() is idempotent and
// thread-safe; OpenCvNet calls it before each import.
#pragma once

#include <span>

namespace topiary {

void registerFakeQuantizeLayer();

// The layer's arithmetic on a span, in place (exposed for tests).
void fakeQuantize(std::span<float> values, float scale, int zeroPoint, int qmin, int qmax);

} // namespace topiary
