// Simulated ("fake") quantization of a weight tensor per a QuantSpec: the floats the
// compressed model will compute with, the integer codes and parameters an exporter
// writes (scales, zero points, codebook), and how much the tensor changed (MSE, SQNR).
// Uniform quantization rounds exactly like torch.fake_quantize_per_{tensor,channel}_affine
// (q = nearbyint(w · (1/s)), half to even), so the simulated values match PyTorch's.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/base/Error.h"

#include <cstdint>
#include <span>
#include <vector>

namespace topiary {

class Model;
struct Layer;

// Scheme by scheme, what `codes` holds and how values decode (c = channel of the element):
//   Uniform:  integer q in [qmin, qmax];      value = (q - zeroPoints[c]) · scales[c]
//             symmetric: [-(2^(b-1)-1), 2^(b-1)-1], zero point 0 (signed, e.g. int8);
//             asymmetric: [0, 2^b - 1], s = (max-min)/(2^b-1) over the range widened to
//             include 0, zp = clamp(round(-min/s)) (unsigned, e.g. uint8)
//   Codebook: index into codebook (sorted);   value = codebook[q]
//   Binary:   -1 or +1 (sign, 0 counts as +); value = q · scales[c], scales = mean|w|
//   Ternary:  -1, 0 or +1;                    value = q · scales[c], threshold 0.7·mean|w|,
//             scale = mean |w| of the elements above the threshold
//   Float16 and Float32 have no codes: values are the half-rounded or unchanged floats.
struct QuantizedTensor {
    QuantScheme scheme = QuantScheme::Float32;
    int bits = 32;
    int64_t channelAxis = -1;  // axis the scales run along; -1 = one per tensor
    std::vector<float> values;  // dequantized, same layout as the input
    std::vector<int32_t> codes;
    std::vector<float> scales;
    std::vector<int32_t> zeroPoints;
    std::vector<float> codebook;
    int32_t qmin = 0;  // Uniform code range
    int32_t qmax = 0;
    double mse = 0.0;       // mean of (w - value)^2
    double sqnrDb = 0.0;    // 10·log10(Σw² / Σ(w - value)²); +inf when nothing changed
};

// QuantRange::Mse searches, per tensor or channel, the clipping range [f·min, f·max] (f·max|w|
// when symmetric) for f = mseRangeFactor(k), k = 0..kMseRangeSteps-1 (1.00, 0.99, ... 0.21),
// keeping the f with the least sum of squared errors (the widest on ties). Weights outside
// the range clip to its ends.
inline constexpr int kMseRangeSteps = 80;
inline float mseRangeFactor(int k) { return 1.0f - 0.01f * static_cast<float>(k); }

// Quantizes a tensor of the given shape. channelAxis names the output-channel axis,
// used by per-channel Uniform and always by Binary/Ternary (which have per-channel scales).
Result<QuantizedTensor> quantize(std::span<const float> values, std::span<const int64_t> shape,
                                 int64_t channelAxis, const QuantSpec& spec);
// A layer's weight, per output channel along outputChannelAxis(layer).
Result<QuantizedTensor> quantize(const Model& model, const Layer& layer, const QuantSpec& spec);

// 1-D k-means (Lloyd's algorithm) with k centroids, linearly initialized over [min, max]
// as Deep Compression recommends; exact, deterministic, O(n log n) once plus O(k log n)
// per iteration on sorted values. Returns the sorted centroids; empty clusters keep
// their initial centroid.
std::vector<float> kmeans1d(std::span<const float> values, int k, int maxIterations = 300);

} // namespace topiary
