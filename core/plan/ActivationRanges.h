// The calibrated ranges of a plan's quantized activations: for each activation tensor the
// export quantizes (by tensor name), the [min, max] the calibration chose, with how it was
// chosen. Stored in the recipe, so an export made later from the same recipe writes the
// same QuantizeLinear scales and zero points without running the images again.
#pragma once

#include "core/plan/CompressionSpec.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace topiary {

struct TensorRange {
    float min = 0.0f;
    float max = 0.0f;

    bool operator==(const TensorRange&) const = default;
};

struct ActivationRanges {
    static constexpr int64_t kDefaultImages = 256;
    static constexpr double kDefaultPercentile = 99.99;

    CalibrationMethod method = CalibrationMethod::MinMax;
    int64_t images = 0; // images the ranges were calibrated on (0 = not calibrated)
    double percentile = kDefaultPercentile; // CalibrationMethod::Percentile only
    std::map<std::string, TensorRange, std::less<>> tensors;

    bool empty() const { return tensors.empty(); }
    bool operator==(const ActivationRanges&) const = default;
};

} // namespace topiary
