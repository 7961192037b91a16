#include "core/recover/ActivationCalibration.h"

#include "core/export/ActivationPlacement.h"
#include "core/plan/Plan.h"
#include "core/recover/TensorTaps.h"

#include <algorithm>

namespace topiary {

Plan withFloatActivations(const Plan& plan)
{
    Plan out = plan.withActivationRanges({});
    for (const auto& [name, spec] : plan.layers())
        if (spec.act.quantized())
            out.setActivation(name, {});
    return out;
}

Result<Calibration> calibrateActivations(const Model& model, const Plan& plan, const CalibrationImages& images,
    const CalibrationOptions& options, std::stop_token stop)
{
    Calibration out;
    out.ranges.method = options.method;
    out.ranges.percentile = options.percentile;
    ApplyOptions applyOptions;
    applyOptions.values = options.values;
    auto applied = apply(model, withFloatActivations(plan), applyOptions);
    if (!applied)
        return std::unexpected(applied.error());
    auto placement = placeActivations(applied->proto.graph(), plan);
    if (!placement)
        return std::unexpected(placement.error());
    const std::vector<std::string> tensors = placement->rangeTensors();
    if (tensors.empty())
        return out;
    auto taps = TensorTaps::create(model, applied->proto, images.inputName, tensors);
    if (!taps)
        return std::unexpected(taps.error());

    std::vector<ActivationHistogram> h(tensors.size());
    const int passes = options.method == CalibrationMethod::MinMax ? 1 : 2;
    for (int pass = 0; pass < passes; ++pass) {
        auto r = taps->run(
            images, options.batchSize,
            [&](int64_t first, int count, const std::vector<cv::Mat>& values) -> Result<void> {
                for (size_t i = 0; i < tensors.size(); ++i) {
                    // A padded fixed batch: only the first `count` images are real.
                    const size_t perImage = values[i].total() / static_cast<size_t>(values[i].size[0]);
                    const std::span<const float> v(values[i].ptr<float>(), perImage * static_cast<size_t>(count));
                    if (pass == 0)
                        h[i].addToRange(v);
                    else
                        h[i].addToHistograms(v);
                }
                if (options.progress)
                    options.progress(pass, first + count);
                return {};
            },
            stop);
        if (!r)
            return std::unexpected(r.error());
    }

    for (size_t i = 0; i < tensors.size(); ++i)
        out.ranges.tensors[tensors[i]] = chooseRange(h[i], options.method, false, options.percentile);
    // Symmetric sites take the symmetric range of their tensor.
    for (const QdqSite& site : placement->sites)
        if (site.symmetric) {
            const size_t i = static_cast<size_t>(std::find(tensors.begin(), tensors.end(), site.range) - tensors.begin());
            out.ranges.tensors[site.range] = chooseRange(h[i], options.method, true, options.percentile);
        }
    // Shared codes: the union of the group's ranges, for every member.
    for (int round = 0; round < 2; ++round) // groups chain through common members
        for (const auto& group : placement->shared) {
            TensorRange u { 0.0f, 0.0f };
            bool any = false;
            for (const auto& t : group)
                if (auto it = out.ranges.tensors.find(t); it != out.ranges.tensors.end()) {
                    u = any ? TensorRange { std::min(u.min, it->second.min), std::max(u.max, it->second.max) } : it->second;
                    any = true;
                }
            if (any)
                for (const auto& t : group)
                    out.ranges.tensors[t] = u;
        }
    out.ranges.images = images.count();
    for (size_t i = 0; i < tensors.size(); ++i)
        out.histograms.emplace(tensors[i], std::move(h[i]));
    return out;
}

} // namespace topiary
