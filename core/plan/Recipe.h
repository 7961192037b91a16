// The recipe: a Plan as JSON, the file users save, share and pass to topiary-cli.
//
//   {"version": 1,
//    "model": {"file": "resnet18.onnx", "sha256": "..."},          (optional)
//    "layers": {"conv1": {"prune": {"granularity": "filter", "criterion": "l1",
//                                   "mode": "ratio", "value": 0.3},
//                         "quant": {"scheme": "uniform", "bits": 8,
//                                   "symmetric": true, "per_channel": true,
//                                   "range": "mse"},                  (optional, "minmax")
//                         "low_rank": {"rank": 16},
//                         "act": {"bits": 8, "symmetric": false}}},     (optional, float inputs)
//    "options": {"round_channels": true, "channel_multiple": 8},   (optional)
//    "preprocess": {"channels": 3, "height": 224, ...},           (optional, see Preprocess.h)
//    "recovery": {"methods": ["bn", "bias", "lsq"], ...},         (optional, see RecoverySpec.h)
//    "activation_ranges": {"method": "entropy", "images": 256, "percentile": 99.99,
//                          "tensors": {"input.4": [0, 5.25]}}}       (optional, ActivationRanges.h)
//
// Parsing is strict: an unknown field, a wrong type, a value out of range or an unknown
// name is an error naming its path ("layers.conv1.prune.ammount: unknown field"). Also
// here: the CLI's compact flags. The names of the enums are CompressionSpec's; checking a
// spec or a plan is PlanCheck's (included here because every recipe read is checked).
#pragma once

#include "core/base/Error.h"
#include "core/plan/Plan.h"
#include "core/plan/PlanCheck.h"
#include "core/data/Preprocess.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace topiary {

struct Layer;
struct DependencyGroup;

inline constexpr int kRecipeVersion = 1;

struct Recipe {
    Plan plan;
    std::string modelFile; // the model the recipe was made for ("" = not recorded)
    std::string modelSha256; // hex, "" = not recorded
    std::optional<PreprocessSpec> preprocess; // how the evaluation images are prepared

    bool operator==(const Recipe&) const = default;
};

nlohmann::json recipeToJson(const Recipe& recipe);
std::string writeRecipe(const Recipe& recipe); // pretty-printed JSON

Result<Recipe> recipeFromJson(const nlohmann::json& json);
Result<Recipe> parseRecipe(std::string_view text);

// The CLI's compact form, built with the global edits, in order:
//   --prune GRANULARITY:CRITERION:RATIO   filter|element : l1|l2|fpgm|bn_scale|apoz|taylor|random : [0, 1)
//                                         every prunable layer (pruneAllLayers)
//   --bits B                              uniform, symmetric, per-channel, B in 2..16
//   --quant SCHEME[:B]                    float16 | uniform:B | codebook:B | binary | ternary;
//                                         uniform:B:mse chooses the range by MSE (QuantRange)
//   --act-bits B[:symmetric]              every layer's input activations: 8 (uint8, or int8
//                                         symmetric) or 32 (float); ranges come from calibration
//   --skip-first-last                     leave the first and last layers alone (any position)
//   --round-channels[=N]                  keep multiples of N (default 8) channels per group
// Both "--flag value" and "--flag=value" work. Any other argument is an error.
// `skipped` says, per flag, which layers the flag left alone and why ("--prune: '/fc/Gemm':
// filters cannot be removed: its channels are a graph output ('logits')").
struct CompactPlan {
    Plan plan;
    std::vector<std::string> skipped;
};
Result<CompactPlan> expandCompactFlags(
    const std::vector<std::string>& args, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups);
Result<Plan> planFromCompactFlags(
    const std::vector<std::string>& args, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups);

} // namespace topiary
