#include "core/analysis/LayerInspection.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/Quantizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

namespace topiary {

int inspectedCriterionIndex(Criterion criterion)
{
    for (size_t i = 0; i < kInspectedCriteria.size(); ++i)
        if (kInspectedCriteria[i] == criterion)
            return static_cast<int>(i);
    return -1;
}

const CriterionScores& LayerInspection::scores(Criterion criterion) const
{
    const int i = inspectedCriterionIndex(criterion);
    static const CriterionScores none{criterion, std::nullopt, "not a criterion the inspector compares"};
    return i < 0 ? none : criteria[static_cast<size_t>(i)];
}

int64_t LayerInspection::prunedFilterCount() const
{
    return static_cast<int64_t>(std::count(keptFilters.begin(), keptFilters.end(), uint8_t{0}));
}

double elementRatioBelow(std::span<const float> weights, double magnitude)
{
    if (weights.empty())
        return 0.0;
    int64_t below = 0;
    for (float w : weights)
        below += std::fabs(static_cast<double>(w)) < magnitude ? 1 : 0;
    return static_cast<double>(below) / static_cast<double>(weights.size());
}

Result<double> elementRatioBelow(const Model& model, const Layer& layer, double magnitude)
{
    const Constant* w = model.constant(layer.weight);
    if (!w || w->floats.empty())
        return fail("layer " + layer.name + ": weight " + layer.weight + " has no float data");
    return elementRatioBelow(w->floats, magnitude);
}

std::optional<double> elementThresholdOf(std::span<const float> weights, const PruneSpec& spec)
{
    if (spec.granularity != PruneGranularity::Element || weights.empty())
        return std::nullopt;
    switch (spec.mode) {
    case PruneMode::Threshold:
        return spec.value;
    case PruneMode::MeanStdRule:
        return meanStdThreshold(elementScores(weights), spec.value);
    case PruneMode::Ratio:
        break;
    }
    if (!(spec.value >= 0.0 && spec.value <= 1.0))
        return std::nullopt;
    // The same count elementMask prunes (Python's round, half to even).
    const auto n = static_cast<int64_t>(weights.size());
    const auto k = static_cast<int64_t>(std::nearbyint(spec.value * static_cast<double>(n)));
    if (k <= 0)
        return 0.0;
    auto magnitudes = elementScores(weights);
    if (k >= n) {
        // Everything goes: a cut just above the largest |w| keeps nothing.
        const float top = *std::max_element(magnitudes.begin(), magnitudes.end());
        return static_cast<double>(std::nextafter(top, std::numeric_limits<float>::infinity()));
    }
    // The smallest kept magnitude: the k pruned ones lie below it.
    std::nth_element(magnitudes.begin(), magnitudes.begin() + k, magnitudes.end());
    return static_cast<double>(magnitudes[static_cast<size_t>(k)]);
}

QuantLevels quantLevels(const Model& model, const Layer& layer, const QuantSpec& spec, double lo, double hi)
{
    QuantLevels out;
    if (spec.scheme == QuantScheme::Float32 || spec.scheme == QuantScheme::Float16)
        return out;
    // Uniform grids too fine to draw are counted without quantizing the tensor.
    if (spec.scheme == QuantScheme::Uniform && spec.bits > 8 && spec.bits <= 16) {
        out.count = (int64_t{1} << spec.bits) - (spec.symmetric ? 1 : 0);
        return out;
    }
    auto q = quantize(model, layer, spec);
    if (!q) {
        out.error = q.error().message;
        return out;
    }
    std::vector<double> grid;
    // The channel with the widest range: the largest scale (uniform: the grid spans
    // (qmax - qmin)·s; binary/ternary: ±s).
    auto widest = [&]() -> size_t {
        return static_cast<size_t>(std::max_element(q->scales.begin(), q->scales.end()) - q->scales.begin());
    };
    switch (spec.scheme) {
    case QuantScheme::Uniform: {
        const size_t c = widest();
        if (q->scales.size() > 1)
            out.channel = static_cast<int64_t>(c);
        // The same float arithmetic as the dequantized values.
        const float s = q->scales[c];
        const int32_t zp = q->zeroPoints[c];
        for (int32_t code = q->qmin; code <= q->qmax; ++code)
            grid.push_back(static_cast<double>(static_cast<float>(code - zp) * s));
        if (spec.range == QuantRange::Mse) {
            auto ends = [](const QuantizedTensor& t, size_t channel) {
                const float scale = t.scales[channel];
                const int32_t zero = t.zeroPoints[channel];
                return std::pair { static_cast<double>(static_cast<float>(t.qmin - zero) * scale),
                    static_cast<double>(static_cast<float>(t.qmax - zero) * scale) };
            };
            out.mseRange = ends(*q, c);
            QuantSpec minMax = spec;
            minMax.range = QuantRange::MinMax;
            if (auto full = quantize(model, layer, minMax); full && c < full->scales.size())
                out.minMaxRange = ends(*full, c);
        }
        break;
    }
    case QuantScheme::Codebook:
        grid.assign(q->codebook.begin(), q->codebook.end());
        break;
    case QuantScheme::Binary:
    case QuantScheme::Ternary: {
        const size_t c = widest();
        out.channel = q->scales.size() > 1 ? static_cast<int64_t>(c) : -1;
        const double s = q->scales[c];
        grid = spec.scheme == QuantScheme::Binary ? std::vector<double>{-s, s} : std::vector<double>{-s, 0.0, s};
        break;
    }
    case QuantScheme::Float32:
    case QuantScheme::Float16:
        break;
    }
    out.count = static_cast<int64_t>(grid.size());
    std::sort(grid.begin(), grid.end());
    // Float rounding may put the outermost level a hair beyond the data it came from.
    const double slack = 1e-6 * std::max(hi - lo, std::fabs(hi));
    for (double v : grid)
        if (v >= lo - slack && v <= hi + slack)
            out.values.push_back(v);
    return out;
}

Disagreement disagreement(std::span<const CriterionScores> criteria, double ratio)
{
    Disagreement d;
    d.ratio = std::clamp(ratio, 0.0, 1.0);
    for (const auto& c : criteria) {
        if (!c.scores)
            continue;
        auto keep = filterMask(*c.scores, d.ratio);
        if (!keep)
            continue;  // cannot happen for a clamped ratio
        d.criteria.push_back(c.criterion);
        d.keep.push_back(std::move(*keep));
    }
    const size_t n = d.criteria.size();
    d.jaccard.assign(n, std::vector<double>(n, 1.0));
    for (size_t a = 0; a < n; ++a)
        for (size_t b = a + 1; b < n; ++b) {
            int64_t both = 0;
            int64_t either = 0;
            const auto& ka = d.keep[a];
            const auto& kb = d.keep[b];
            for (size_t f = 0; f < ka.size() && f < kb.size(); ++f) {
                const bool pa = !ka[f];
                const bool pb = !kb[f];
                both += pa && pb;
                either += pa || pb;
            }
            const double j = either == 0 ? 1.0 : static_cast<double>(both) / static_cast<double>(either);
            d.jaccard[a][b] = d.jaccard[b][a] = j;
        }
    return d;
}

namespace {

LayerLimits limitsOf(const Layer& layer, const FilterMatrix& filters, const std::vector<DependencyGroup>& groups,
                     int index)
{
    LayerLimits limits;
    limits.filters = filters.rows();
    limits.elements = filters.rows() * filters.cols();
    if (layer.kind == LayerKind::ConvTranspose)
        limits.lowRankReason = "low rank of ConvTranspose layers is not supported";
    else if (layer.kind == LayerKind::Conv && layer.group > 1)
        limits.lowRankReason = "grouped convolutions (group " + std::to_string(layer.group)
            + ") cannot be factored: their weight matrix mixes groups that see different inputs";
    else
        limits.maxRank = std::min(filters.rows(), filters.cols());
    const int g = producerGroupOf(groups, index);
    if (g < 0) {
        limits.filterReason = "the layer's output channels belong to no dependency group";
    } else {
        limits.filterPrunable = groups[static_cast<size_t>(g)].prunable;
        limits.filterReason = groups[static_cast<size_t>(g)].reason;
    }
    return limits;
}

// The plan cut down to the filter pruning of the layer's group: selectPruned then scores
// only that group, not every pruned group of the model.
Plan groupPlan(const Plan& plan, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups, int layer)
{
    Plan out;
    out.setOptions(plan.options());
    const int g = producerGroupOf(groups, layer);
    if (g < 0)
        return out;
    for (int producer : groups[static_cast<size_t>(g)].producers) {
        const auto& name = layers[static_cast<size_t>(producer)].name;
        const PruneSpec& spec = plan.spec(name).prune;
        if (spec.granularity == PruneGranularity::Filter)
            out.setPrune(name, spec);
    }
    return out;
}

const Constant* floatWeight(const Model& model, const Layer& layer)
{
    const Constant* weight = model.constant(layer.weight);
    return weight && !weight->floats.empty() ? weight : nullptr;
}

// The fraction of weights an Element spec prunes: round(ratio·n)/n for Ratio (what
// elementMask prunes), the share below the cut otherwise (what thresholdMask prunes).
double elementFraction(std::span<const float> weights, const PruneSpec& spec, std::optional<double> cut)
{
    if (spec.granularity != PruneGranularity::Element || weights.empty() || !cut)
        return 0.0;
    if (spec.mode != PruneMode::Ratio)
        return elementRatioBelow(weights, *cut);
    const auto n = static_cast<double>(weights.size());
    return std::nearbyint(spec.value * n) / n;
}

void refreshPlanParts(LayerInspection& out, const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const Plan& plan, const FilterScorer& scorer,
    const InspectionOptions& options, bool everything)
{
    const Layer& l = layers[static_cast<size_t>(out.layer)];
    const LayerSpec spec = plan.spec(l.name);
    const Constant* weight = floatWeight(model, l);
    if (everything || !(spec.prune == out.spec.prune)) {
        out.elementThreshold = weight ? elementThresholdOf(weight->floats, spec.prune) : std::nullopt;
        out.elementPrunedFraction = weight ? elementFraction(weight->floats, spec.prune, out.elementThreshold) : 0.0;
    }
    if (everything || !(spec.quant == out.spec.quant))
        out.levels = quantLevels(model, l, spec.quant, out.histogram.edges.front(), out.histogram.edges.back());
    out.spec = spec;

    // This layer's scores are already at hand: the selection reuses them.
    const int layer = out.layer;
    const FilterScorer reuse = [&](int other, Criterion criterion) -> Result<std::vector<float>> {
        const int i = inspectedCriterionIndex(criterion);
        if (other != layer || i < 0)
            return scorer(other, criterion);
        const auto& c = out.criteria[static_cast<size_t>(i)];
        if (c.scores)
            return *c.scores;
        return fail(c.reason);
    };
    out.keptFilters.assign(static_cast<size_t>(out.limits.filters), 1);
    out.pruneError.clear();
    auto selection = selectPruned(model, layers, groups, groupPlan(plan, layers, groups, layer), reuse);
    if (!selection) {
        out.pruneError = selection.error().message;
    } else {
        for (int64_t f : selection->prunedFilters(groups, layer))
            if (f >= 0 && f < out.limits.filters)
                out.keptFilters[static_cast<size_t>(f)] = 0;
    }

    double ratio = Disagreement::kDefaultRatio;
    if (options.disagreementRatio)
        ratio = *options.disagreementRatio;
    else if (out.prunedFilterCount() > 0)
        ratio = static_cast<double>(out.prunedFilterCount()) / static_cast<double>(out.limits.filters);
    out.disagreement = disagreement(out.criteria, ratio);
}

} // namespace

Result<LayerInspection> inspectLayer(const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, int layer, const Plan& plan, const FilterScorer& scorer,
    const InspectionOptions& options)
{
    if (layer < 0 || static_cast<size_t>(layer) >= layers.size())
        return fail("no layer " + std::to_string(layer) + " (the model has " + std::to_string(layers.size())
            + " layers)");
    const Layer& l = layers[static_cast<size_t>(layer)];
    const Constant* weight = floatWeight(model, l);
    if (!weight)
        return fail("layer " + l.name + ": weight " + l.weight + " has no float data");
    auto filters = filterMatrix(weight->floats, l);
    if (!filters)
        return std::unexpected(filters.error());

    LayerInspection out;
    out.layer = layer;
    out.name = l.name;
    out.kind = l.kind;
    out.weightShape = l.weightShape;
    out.limits = limitsOf(l, *filters, groups, layer);
    out.histogram = histogram(weight->floats, options.histogramBins);
    out.kernels = kernelL1(*filters);

    for (size_t i = 0; i < kInspectedCriteria.size(); ++i) {
        auto& c = out.criteria[i];
        c.criterion = kInspectedCriteria[i];
        auto scores = scorer(layer, c.criterion);
        if (!scores)
            c.reason = scores.error().message;
        else if (static_cast<int64_t>(scores->size()) != filters->rows())
            c.reason = "the scorer gave " + std::to_string(scores->size()) + " scores for "
                + std::to_string(filters->rows()) + " filters";
        else
            c.scores = std::move(*scores);
        out.limits.criterionReason[i] = c.reason;
        if (c.scores && !c.scores->empty())
            out.limits.maxScore[i] = *std::max_element(c.scores->begin(), c.scores->end());
    }
    out.limits.maxMagnitude = std::max(std::fabs(static_cast<double>(out.histogram.min)),
                                       std::fabs(static_cast<double>(out.histogram.max)));

    refreshPlanParts(out, model, layers, groups, plan, scorer, options, true);
    return out;
}

void refreshInspection(LayerInspection& inspection, const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const Plan& plan, const FilterScorer& scorer,
    const InspectionOptions& options)
{
    if (inspection.layer < 0 || static_cast<size_t>(inspection.layer) >= layers.size())
        return;
    refreshPlanParts(inspection, model, layers, groups, plan, scorer, options, false);
}

FilterScorer cachedScorer(FilterScorer inner)
{
    struct Cache {
        std::mutex mutex;
        std::map<std::pair<int, Criterion>, Result<std::vector<float>>> entries;
    };
    auto cache = std::make_shared<Cache>();
    return [cache, inner = std::move(inner)](int layer, Criterion criterion) -> Result<std::vector<float>> {
        const auto key = std::make_pair(layer, criterion);
        {
            const std::lock_guard lock(cache->mutex);
            if (auto it = cache->entries.find(key); it != cache->entries.end())
                return it->second;
        }
        // Scored outside the lock: two threads may both score a layer, never block each other.
        auto scores = inner(layer, criterion);
        const std::lock_guard lock(cache->mutex);
        return cache->entries.emplace(key, std::move(scores)).first->second;
    };
}

} // namespace topiary
