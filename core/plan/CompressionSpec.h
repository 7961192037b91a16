// What the user asks of one layer: how to prune it, how to encode its weights, and
// whether to factor it at a lower rank. Plain values; the Plan holds one per layer.
// Beside each enum, its lower-case names as recipes and CLI flags spell them ("l1",
// "filter", "uniform"), both ways, in one table each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace topiary {

enum class Criterion { L1, L2, Fpgm, BnScale, Apoz, Random, Taylor };

enum class PruneGranularity {
    None,
    Element,  // unstructured: individual weights
    Filter,   // structured: whole output channels, through their dependency group
};

enum class PruneMode {
    Ratio,          // prune this fraction (0..1) of elements/filters with the lowest score
    Threshold,      // prune everything whose score is below this absolute value
    MeanStdRule,    // threshold = mean(score) + k * std(score); `value` holds k
};

struct PruneSpec {
    PruneGranularity granularity = PruneGranularity::None;
    Criterion criterion = Criterion::L1;
    PruneMode mode = PruneMode::Ratio;
    double value = 0.0;  // ratio, threshold or k, depending on mode

    bool operator==(const PruneSpec&) const = default;
};

enum class QuantScheme {
    Float32,      // unchanged
    Float16,
    Uniform,      // b-bit integer grid, see DESIGN.md
    Codebook,     // k-means with 2^b centroids
    Binary,       // sign * per-channel mean|w|
    Ternary,      // {-a, 0, +a} with threshold 0.7 * mean|w|
};

// How a Uniform grid's clipping range is chosen: the weights' min/max (nothing clipped),
// or the range that minimises the quantization MSE (a short search, see Quantizer.h).
enum class QuantRange { MinMax, Mse };

struct QuantSpec {
    QuantScheme scheme = QuantScheme::Float32;
    int bits = 32;             // 1..16 for Uniform, 1..8 for Codebook
    bool symmetric = true;     // Uniform: symmetric, or asymmetric with a zero point
    bool perChannel = false;   // Uniform: one scale per output channel
    QuantRange range = QuantRange::MinMax; // Uniform: how the scale is chosen

    bool operator==(const QuantSpec&) const = default;
};

struct LowRankSpec {
    int64_t rank = 0;  // 0 = not factored

    bool operator==(const LowRankSpec&) const = default;
};

// A layer's input activations: float, or 8-bit codes on a range calibrated on images (the
// Plan's ActivationRanges), per tensor: uint8 asymmetric (zero point from the range) or
// int8 symmetric (zero point 0, range [-max|r|, max|r|]).
struct ActivationSpec {
    int bits = 32; // 32 = float, 8 = quantized
    bool symmetric = false;

    bool quantized() const { return bits == 8; }
    bool operator==(const ActivationSpec&) const = default;
};

// How a calibrated activation range is chosen from the values seen on the images (see
// core/compress/ActivationRange.h): their min/max, a percentile, the range with the least
// quantization MSE, or TensorRT's entropy (KL divergence) threshold.
enum class CalibrationMethod { MinMax, Percentile, Mse, Entropy };

struct LayerSpec {
    PruneSpec prune;
    QuantSpec quant;
    LowRankSpec lowRank;
    ActivationSpec act;

    bool operator==(const LayerSpec&) const = default;
};

template <class E> struct EnumName {
    E value;
    const char* name;
};

inline constexpr EnumName<Criterion> kCriterionNames[] = { { Criterion::L1, "l1" }, { Criterion::L2, "l2" },
    { Criterion::Fpgm, "fpgm" }, { Criterion::BnScale, "bn_scale" }, { Criterion::Apoz, "apoz" },
    { Criterion::Random, "random" }, { Criterion::Taylor, "taylor" } };
// "none" first: recipes and flags never spell it, a missing prune section means it.
inline constexpr EnumName<PruneGranularity> kGranularityNames[] = { { PruneGranularity::None, "none" },
    { PruneGranularity::Element, "element" }, { PruneGranularity::Filter, "filter" } };
inline constexpr EnumName<PruneMode> kPruneModeNames[]
    = { { PruneMode::Ratio, "ratio" }, { PruneMode::Threshold, "threshold" }, { PruneMode::MeanStdRule, "mean_std" } };
inline constexpr EnumName<QuantScheme> kQuantSchemeNames[] = { { QuantScheme::Float32, "float32" },
    { QuantScheme::Float16, "float16" }, { QuantScheme::Uniform, "uniform" }, { QuantScheme::Codebook, "codebook" },
    { QuantScheme::Binary, "binary" }, { QuantScheme::Ternary, "ternary" } };
inline constexpr EnumName<CalibrationMethod> kCalibrationMethodNames[] = { { CalibrationMethod::MinMax, "minmax" },
    { CalibrationMethod::Percentile, "percentile" }, { CalibrationMethod::Mse, "mse" },
    { CalibrationMethod::Entropy, "entropy" } };
inline constexpr EnumName<QuantRange> kQuantRangeNames[] = { { QuantRange::MinMax, "minmax" }, { QuantRange::Mse, "mse" } };

template <class E, size_t N> constexpr const char* nameIn(const EnumName<E> (&table)[N], E value)
{
    for (const auto& e : table)
        if (e.value == value)
            return e.name;
    return "?";
}

template <class E, size_t N> constexpr std::optional<E> valueIn(const EnumName<E> (&table)[N], std::string_view name)
{
    for (const auto& e : table)
        if (name == e.name)
            return e.value;
    return std::nullopt;
}

inline const char* criterionName(Criterion c) { return nameIn(kCriterionNames, c); }
inline const char* granularityName(PruneGranularity g) { return nameIn(kGranularityNames, g); }
inline const char* pruneModeName(PruneMode m) { return nameIn(kPruneModeNames, m); }
inline const char* quantSchemeName(QuantScheme s) { return nameIn(kQuantSchemeNames, s); }

inline std::optional<Criterion> criterionNamed(std::string_view name) { return valueIn(kCriterionNames, name); }
inline std::optional<PruneGranularity> granularityNamed(std::string_view name)
{
    return valueIn(kGranularityNames, name);
}
inline std::optional<PruneMode> pruneModeNamed(std::string_view name) { return valueIn(kPruneModeNames, name); }
inline std::optional<QuantScheme> quantSchemeNamed(std::string_view name) { return valueIn(kQuantSchemeNames, name); }

// The bits a scheme always has (32, 16, 1 for binary, 2 for ternary); 0 for the schemes
// whose bits the user picks (uniform, codebook).
constexpr int naturalBits(QuantScheme s)
{
    switch (s) {
    case QuantScheme::Float32:
        return 32;
    case QuantScheme::Float16:
        return 16;
    case QuantScheme::Binary:
        return 1;
    case QuantScheme::Ternary:
        return 2;
    case QuantScheme::Uniform:
    case QuantScheme::Codebook:
        return 0;
    }
    return 0;
}

} // namespace topiary
