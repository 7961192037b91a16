// What the user asks of one layer: how to prune it, how to encode its weights, and
// whether to factor it at a lower rank. Plain values; the Plan holds one per layer.
#pragma once

#include <cstdint>
#include <optional>

namespace topiary {

enum class Criterion { L1, L2, Fpgm, BnScale, Apoz, Random };

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

struct LayerSpec {
    PruneSpec prune;
    QuantSpec quant;
    LowRankSpec lowRank;

    bool operator==(const LayerSpec&) const = default;
};

} // namespace topiary
