// The recipe: a Plan as JSON, the file users save, share and pass to topiary-cli.
//
//   {"version": 1,
//    "model": {"file": "resnet18.onnx", "sha256": "..."},          (optional)
//    "layers": {"conv1": {"prune": {"granularity": "filter", "criterion": "l1",
//                                   "mode": "ratio", "value": 0.3},
//                         "quant": {"scheme": "uniform", "bits": 8,
//                                   "symmetric": true, "per_channel": true,
//                                   "range": "mse"},                  (optional, "minmax")
//                         "low_rank": {"rank": 16}}},
//    "options": {"round_channels": true, "channel_multiple": 8},   (optional)
//    "preprocess": {"channels": 3, "height": 224, ...},           (optional, see Preprocess.h)
//    "recovery": {"methods": ["bn", "bias", "lsq"], ...}}         (optional, see RecoverySpec.h)
//
// Parsing is strict: an unknown field, a wrong type, a value out of range or an unknown
// name is an error naming its path ("layers.conv1.prune.ammount: unknown field"). Also
// here: checking a plan against a model, and the CLI's compact flags.
#pragma once

#include "core/base/Error.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace topiary {

class Model;
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

// The values a spec may hold, whatever the model: ratio in [0, 1), bits by scheme, rank >= 0...
// The error names the field ("prune.value: ...").
Result<void> checkLayerSpec(const LayerSpec& spec);

// One thing wrong with a plan for a given model; `message` names the layer and the reason.
struct PlanProblem {
    std::string layer;
    std::string message;
};

// Everything that keeps the plan from applying to this model: layers it does not have,
// invalid specs, ranks above min(outputs, inputs·kernel) or on grouped convolutions,
// filter pruning of a layer whose dependency group is not prunable, and coupled layers
// (one group) that ask for different filter pruning. Empty when the plan is valid.
// groups: from findDependencyGroups(model, layers); computed when not given.
std::vector<PlanProblem> validatePlan(const Plan& plan, const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>* groups = nullptr);

// The CLI's compact form, built with the global edits, in order:
//   --prune GRANULARITY:CRITERION:RATIO   filter|element : l1|l2|fpgm|bn_scale|apoz|random : [0, 1)
//   --bits B                              uniform, symmetric, per-channel, B in 2..16
//   --quant SCHEME[:B]                    float16 | uniform:B | codebook:B | binary | ternary;
//                                         uniform:B:mse chooses the range by MSE (QuantRange)
//   --skip-first-last                     leave the first and last layers alone (any position)
//   --round-channels[=N]                  keep multiples of N (default 8) channels per group
// Both "--flag value" and "--flag=value" work. Any other argument is an error.
Result<Plan> planFromCompactFlags(
    const std::vector<std::string>& args, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups);

// Lower-case names used by recipes and flags ("l1", "filter", "uniform"...).
const char* criterionName(Criterion c);
const char* granularityName(PruneGranularity g);
const char* pruneModeName(PruneMode m);
const char* quantSchemeName(QuantScheme s);

} // namespace topiary
