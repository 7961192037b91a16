// The numbers behind Explain mode: for one layer and its spec, what pruning, quantization,
// Huffman coding and low rank compute, worked out on this layer's weights so a panel can
// say "here s = 0.012, 15 levels, SQNR 24.1 dB". Every number comes from the same core
// functions the app applies (quantize(), huffmanBits(), singularValues()) or is taken
// from what the app already computed (LayerInspection's disagreement table, LayerStats'
// sizes), so the explanation never contradicts the inspector or the stats panel. When the
// plan was recovered, it carries what recovery changed on the layer (RecoveryExplanation,
// read from what recover() kept).
#pragma once

#include "core/analysis/RecoveryExplanation.h"
#include "core/plan/CompressionSpec.h"
#include "core/base/Error.h"
#include "core/model/Layer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace topiary {

class Model;
struct ActivationStats;
struct LayerInspection;
struct LayerStats;

// Which filters L1 and FPGM would remove at one ratio, and how far they agree; taken from
// LayerInspection::disagreement (so its ratio: the plan's, or 25 % when the plan prunes none).
struct PruningExplanation {
    int64_t filters = 0;   // output channels of the layer
    double ratio = 0.0;    // fraction of filters each criterion removes here
    bool planRatio = false;  // the ratio is the plan's (false: the 25 % default)
    std::optional<std::vector<int64_t>> l1Pruned;    // ascending; absent when L1 cannot score
    std::optional<std::vector<int64_t>> fpgmPruned;  // ascending; absent when FPGM cannot score
    int64_t overlap = 0;   // |l1 ∩ fpgm|
    double jaccard = 1.0;  // |l1 ∩ fpgm| / |l1 ∪ fpgm| (1 when both are empty)
    std::vector<int64_t> planPruned;  // filters the plan itself removes (from keptFilters)
};

// Quantization as quantize() does it on this layer's weight as stored (before pruning
// zeroes any of it, like the inspector's levels). Uniform: q = clamp(round(w/s) + zp,
// qmin, qmax), ŵ = (q − zp)·s; per channel the scale shown is the widest channel's.
struct QuantExplanation {
    QuantScheme scheme = QuantScheme::Float32;
    int bits = 32;
    bool symmetric = true;
    bool perChannel = false;
    int64_t channels = 1;      // scales in use (1 per tensor)
    int64_t channel = -1;      // the channel whose scale is shown; -1 per tensor
    double scale = 0.0;        // s (Uniform, Binary, Ternary; 0 otherwise)
    int32_t zeroPoint = 0;
    int32_t qmin = 0;          // Uniform code range
    int32_t qmax = 0;
    int64_t levels = 0;        // values a weight can take (per channel); 0 for floats
    double clipLow = 0.0;      // the representable range [(qmin − zp)·s, (qmax − zp)·s]
    double clipHigh = 0.0;     //   (Codebook: [first, last centroid])
    std::optional<double> clippedFraction;  // weights saturated at qmin/qmax (Uniform only)
    double weightMin = 0.0;    // the float weights' range, for comparison
    double weightMax = 0.0;
    double mse = 0.0;          // mean (w − ŵ)²
    double sqnrDb = 0.0;       // 10·log10(Σw² / Σ(w − ŵ)²), +inf when nothing changed
};

// Huffman coding of the codebook indices (Codebook scheme), as the stats count it.
struct HuffmanExplanation {
    int plainBits = 0;             // b: each index stored in b bits
    int64_t weights = 0;
    int64_t codedBits = 0;         // Σ count_i · length_i over all the layer's weights
    double bitsPerWeight = 0.0;    // codedBits / weights
    int usedSymbols = 0;           // codebook entries that occur
    int shortestCode = 0;          // bits of the most frequent entry's code
    int longestCode = 0;
    int64_t statsBytes = -1;       // LayerStats::huffmanBytes (-1 when not given)
};

// Truncated SVD at rank r of the filter matrix W (m x n).
struct LowRankExplanation {
    int64_t rank = 0;
    int64_t rows = 0;               // m: filters
    int64_t cols = 0;               // n: inputs · kernel
    double explainedVariance = 0.0; // Σ_{i<r} σ_i² / Σ σ_i²
    double relativeError = 0.0;     // sqrt(1 − explained): ||W − W_r||_F / ||W||_F
    double firstSingular = 0.0;     // σ_1
    double lastKeptSingular = 0.0;  // σ_r
    int64_t paramsBefore = 0;       // m·n (+ bias)
    int64_t paramsAfter = 0;        // r·(m + n) (+ bias)
};

// What APoZ measured on this layer, from the activations the app counted on a dataset
// (ActivationStats): for channel c, APoZ_c = (zero activations of c) / (activations of c
// counted), the activations being the output of the ReLU after the layer.
struct ApozExplanation {
    bool defined = false;
    std::string reason;            // when !defined: why (no ReLU follows the layer)
    std::string tensor;            // where it was measured: the ReLU's output
    int64_t samples = 0;           // images run
    int64_t valuesPerChannel = 0;  // activations counted per channel (images x positions)
    int64_t channels = 0;
    double meanApoz = 0.0;         // mean over the channels
    int64_t mostlyZero = 0;        // channels zero in at least 90 % of their activations
    std::vector<std::pair<int64_t, double>> highest;  // up to 3 channels with the highest APoZ, descending
};

struct Explanation {
    int layer = -1;
    std::string name;
    LayerSpec spec;
    std::optional<PruningExplanation> pruning;  // when L1 or FPGM can score the layer
    std::optional<QuantExplanation> quant;      // when the spec quantizes (not Float32)
    std::optional<HuffmanExplanation> huffman;  // when the spec is a Codebook
    std::optional<LowRankExplanation> lowRank;  // when the spec factors the layer
    std::optional<ApozExplanation> apoz;        // when activation stats of a dataset are given
    std::optional<RecoveryExplanation> recovery; // when the plan's recovery visited the layer
    int64_t recoveryImages = 0;                  // calibration images the recovery ran on
    std::string quantError;    // quantize() refused the spec, or the layer is factored (quant absent)
    std::string lowRankError;  // the layer cannot be factored at that rank (lowRank absent)
};

// Explains layers[layer] under `spec` (its spec in the plan). `inspection` is the
// layer's LayerInspection for that plan (pruning comes from its disagreement table and
// keptFilters); `stats`, when given, is the layer's LayerStats from StatsModel::compute
// for the same plan (for the Huffman bytes the stats panel shows); `activations`, when
// given, the window's counts of this model's activations (for APoZ); `recovery`, when
// given, the recovery of this plan (its record of this layer, if any). Cost: one quantize()
// and, with low rank, one SVD of the layer — call it on selection and plan changes, not
// per frame. Errors: layer out of range, or an inspection of another layer.
Result<Explanation> explainLayer(const Model& model, const std::vector<Layer>& layers, int layer,
    const LayerSpec& spec, const LayerInspection& inspection, const LayerStats* stats = nullptr,
    const ActivationStats* activations = nullptr, const RecoveryResult* recovery = nullptr);

} // namespace topiary
