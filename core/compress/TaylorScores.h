// First-order Taylor importance (Molchanov et al. 2017/2019): how much the loss would move
// if a filter were removed, estimated from the gradient as the sum over the filter's
// weights of |w · ∂L/∂w|, summed over N batches of labelled images (cross-entropy, the
// model in eval mode). Gradients need libtorch, so the trainer process (topiary-train, its
// "taylor" request) computes them; here are the scores it sends back, their JSON form,
// the file cache that keeps them per model and data, and taylorScorer(), which makes
// Criterion::Taylor work wherever L1 does (selectPruned, apply, heatmaps, comparisons).
#pragma once

#include "core/base/Error.h"
#include "core/compress/PruneSelection.h"
#include "core/model/Layer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace topiary {

struct TaylorScores {
    int64_t images = 0; // images the gradients were taken on
    int64_t batches = 0;
    std::map<std::string, std::vector<float>> layers; // layer name -> one score per filter

    bool operator==(const TaylorScores&) const = default;
};

// {"images": N, "batches": B, "layers": {"name": [scores...]}}; reading is strict.
nlohmann::json taylorScoresToJson(const TaylorScores& scores);
Result<TaylorScores> taylorScoresFromJson(const nlohmann::json& json);

// Per-filter sums of |contribution| over a layer's weights, given as the weight is stored
// (contribution = w · ∂L/∂w accumulated in absolute value, in the layer's weight shape).
Result<std::vector<float>> taylorFilterSums(std::span<const float> contributions, const Layer& layer);

// Criterion::Taylor from the scores (by layer name), every other criterion by `fallback`.
// A layer without scores, or with a different filter count, is an error naming it.
FilterScorer taylorScorer(TaylorScores scores, const std::vector<Layer>& layers, FilterScorer fallback);

// What the scores depend on: the model's bytes, the data, the preprocessing and the
// sampling (batches, batch size, seed). Equal keys give equal scores.
struct TaylorRequest {
    std::filesystem::path model;
    std::filesystem::path data;
    nlohmann::json preprocess; // preprocessToJson of the spec used ({} when chosen by default)
    int batches = 16;
    int batchSize = 32;
    uint64_t seed = 1;
};

// Cache of computed scores, one JSON file per request under `dir` (default:
// $TOPIARY_CACHE_DIR, else $XDG_CACHE_HOME/topiary, else ~/.cache/topiary). The file holds
// the request's key (model fingerprint, data path, size and time, the rest), so a
// changed model or dataset misses instead of returning stale scores.
class TaylorCache {
public:
    explicit TaylorCache(std::filesystem::path dir = defaultDir());
    static std::filesystem::path defaultDir();

    // nullopt on a miss (also when the model or data cannot be read: the trainer reports that).
    std::optional<TaylorScores> find(const TaylorRequest& request) const;
    Result<void> store(const TaylorRequest& request, const TaylorScores& scores) const;

private:
    Result<nlohmann::json> key(const TaylorRequest& request) const;
    std::filesystem::path m_dir;
};

} // namespace topiary
