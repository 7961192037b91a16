#include "core/eval/ActivationCut.h"

#include "core/export/ActivationPlacement.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"

#include <algorithm>
#include <limits>

namespace topiary {

Result<int> firstEvaluatedLayer(
    const Model& model, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups, const Plan& plan)
{
    const int first = firstChangedLayer(Plan {}, plan, layers, groups);
    if (first < 0 || !quantizesActivations(plan))
        return first;
    auto placement = placeActivations(model.proto().graph(), plan);
    if (!placement)
        return std::unexpected(placement.error());
    int firstReader = std::numeric_limits<int>::max();
    for (const auto& site : placement->sites)
        for (int reader : model.consumers(site.tensor))
            firstReader = std::min(firstReader, reader);
    int cut = first;
    while (cut >= 0 && layers[static_cast<size_t>(cut)].node > firstReader)
        --cut;
    return cut >= 0 ? cut : kRunInFull;
}

} // namespace topiary
