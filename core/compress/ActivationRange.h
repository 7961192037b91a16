// The range an 8-bit activation tensor is quantized on, chosen from the values it took on
// calibration images, and the QuantizeLinear parameters that range gives.
//
// Values are seen in two passes (so memory stays one batch, whatever the image count):
// pass 1 finds min and max; pass 2 fills two histograms of kBins bins, of x over
// [min, max] and of |x| over [0, max|x|] (bin = floor(t · kBins / width), the top edge in
// the last bin). The methods, for asymmetric (uint8) and symmetric (int8) codes:
//   MinMax:     [min, max]; symmetric [-m, m], m = max|x|.
//   Percentile: p (e.g. 99.99): asymmetric [lower edge of the bin where the x histogram's
//               cumulative count first exceeds (1 - p/100)·N, upper edge of the bin where
//               it first reaches p/100·N]; symmetric [-T, T], T the same upper edge in the
//               |x| histogram.
//   Mse:        the range [f·lo, f·hi] (lo, hi the min/max range above) with the least
//               squared error of quantizing every bin centre (weighted by its count), for
//               f = mseRangeFactor(k), k = 0..kMseRangeSteps-1; the widest on ties.
//   Entropy:    TensorRT's calibrator on the |x| histogram: for i = 128..kBins kept bins,
//               P = the first i bins with the rest added to bin i-1; Q = those i bins
//               (without the outliers) merged into 128 groups (bin j in group
//               floor(j·128/i)), each group's sum spread evenly over its non-empty bins;
//               both normalised and smoothed (empty bins get ε = 1e-4, taken evenly from the
//               non-empty ones); the i with the least KL(P‖Q) (the first on ties) gives
//               T = i · width/kBins. Range [max(min, -T), min(max, T)]; symmetric [-T, T].
#pragma once

#include "core/compress/Importance.h"
#include "core/plan/ActivationRanges.h"
#include "core/plan/CompressionSpec.h"

#include <cstdint>
#include <span>
#include <vector>

namespace topiary {

class ActivationHistogram {
public:
    static constexpr int kBins = 2048;

    // Pass 1.
    void addToRange(std::span<const float> values);
    // Pass 2 (after pass 1 saw every value).
    void addToHistograms(std::span<const float> values);

    float min() const { return m_min; }
    float max() const { return m_max; }
    float absMax() const;
    int64_t count() const { return m_count; }
    const std::vector<double>& counts() const { return m_counts; } // of x over [min, max]
    const std::vector<double>& absCounts() const { return m_absCounts; } // of |x| over [0, absMax]

private:
    float m_min = 0.0f;
    float m_max = 0.0f;
    int64_t m_count = 0; // values seen in pass 1
    std::vector<double> m_counts;
    std::vector<double> m_absCounts;
};

// The pass-2 histogram of x for display: kBins / bins adjacent bins summed into each of
// `bins` (a divisor of kBins) over [min, max]. No counts when pass 2 did not run
// (CalibrationMethod::MinMax needs one pass) or every value was equal.
Histogram coarseHistogram(const ActivationHistogram& h, int bins = 128);

// percentile: for CalibrationMethod::Percentile, in (50, 100].
TensorRange chooseRange(const ActivationHistogram& h, CalibrationMethod method, bool symmetric, double percentile);

// QuantizeLinear's parameters for a range: uint8 asymmetric over the range widened to hold
// 0 (scale = (hi - lo)/255, zero point = clamp(round(-lo/scale), 0, 255)), or int8
// symmetric (scale = max|r|/127, zero point 0). A zero-width range gets scale 1.
struct ActivationQuantParams {
    float scale = 1.0f;
    int32_t zeroPoint = 0;
    int32_t qmin = 0; // QuantizeLinear's saturation: [0, 255] uint8, [-128, 127] int8
    int32_t qmax = 255;

    // What DequantizeLinear(QuantizeLinear(x)) gives, rounding half to even as ONNX does.
    float fakeQuantize(float x) const;
};
ActivationQuantParams activationParams(const TensorRange& range, bool symmetric);

} // namespace topiary
