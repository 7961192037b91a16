// Whether a plan can be applied: the values one layer's spec may hold whatever the model,
// and everything that keeps a whole plan from applying to a given model. The GUI shows
// the problems as the user edits; apply and the CLI refuse a plan that has any.
#pragma once

#include "core/base/Error.h"
#include "core/plan/Plan.h"

#include <string>
#include <vector>

namespace topiary {

class Model;
struct Layer;
struct DependencyGroup;

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

} // namespace topiary
