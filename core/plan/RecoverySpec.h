// What the plan asks of calibration-based recovery (core/recover): which methods repair
// the compressed model's weights without training, and from which images. Plain data,
// part of the Plan, so recipes and projects carry it like every other choice.
#pragma once

#include "core/base/Error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace topiary {

struct RecoverySpec {
    static constexpr int64_t kDefaultImages = 256;
    static constexpr uint64_t kDefaultSeed = 20261206;

    bool batchNorm = false; // "bn": re-estimate BatchNorm statistics (adaptive BN)
    bool bias = false; // "bias": empirical bias correction
    bool leastSquares = false; // "lsq": ridge least-squares refit of compressed layers
    int64_t calibrationImages = kDefaultImages; // unlabelled images, the first of a seeded order
    uint64_t seed = kDefaultSeed;
    // Where the calibration images come from ("" = the evaluation data). A path as the user
    // gave it; recover() itself takes an opened Dataset.
    std::string source;

    bool any() const { return batchNorm || bias || leastSquares; }
    bool operator==(const RecoverySpec&) const = default;
};

// "bn,bias,lsq" (any subset, any order; "none" for none) -> the methods of `spec`.
Result<void> parseRecoveryMethods(std::string_view text, RecoverySpec& spec);
// The same list back, in the fixed order bn,bias,lsq ("none" when empty).
std::string recoveryMethodsText(const RecoverySpec& spec);

// The recipe's "recovery" section:
//   {"methods": ["bn", "bias", "lsq"], "calibration_images": 256, "seed": 20261206,
//    "source": "calib/"}                     (everything but methods optional)
nlohmann::json recoveryToJson(const RecoverySpec& spec);
Result<RecoverySpec> recoveryFromJson(const nlohmann::json& json, const std::string& path);

} // namespace topiary
