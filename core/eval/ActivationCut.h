// Where an incremental evaluation of a plan with 8-bit activations may cut the graph. The
// QuantizeLinear/DequantizeLinear pairs of a quantized layer do not all sit after the layer's
// node: its input's pair sits right after the input's producer, and ranges shared through
// MaxPool, Flatten, Reshape and Concat put pairs further up. Every node that reads a quantized
// tensor computes differently, so the cut must come before the first of them, not only
// before the first changed layer's node.
#pragma once

#include "core/base/Error.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"

namespace topiary {

class Model;
class Plan;

// The layer (index into `layers`) to cut before when evaluating `plan` applied to `model`:
// firstChangedLayer(Plan{}, plan, layers, groups), moved up to the last layer whose node
// comes at or before the first node that reads a quantized activation. -1 when the plan
// changes nothing; kRunInFull when that reader comes before every layer (no cut applies;
// PlanEvaluation::run takes it, like any negative layer, as "run in full"). Errors: those
// of placeActivations.
inline constexpr int kRunInFull = -2;

Result<int> firstEvaluatedLayer(
    const Model& model, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups, const Plan& plan);

} // namespace topiary
