#include "core/analysis/Explanation.h"

#include "core/eval/ActivationStats.h"
#include "core/compress/Huffman.h"
#include "core/compress/Importance.h"
#include "core/analysis/LayerInspection.h"
#include "core/compress/LowRank.h"
#include "core/model/Model.h"
#include "core/compress/Quantizer.h"
#include "core/analysis/Stats.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace topiary {

namespace {

std::vector<int64_t> prunedOf(const Mask& keep)
{
    std::vector<int64_t> out;
    for (size_t f = 0; f < keep.size(); ++f)
        if (!keep[f])
            out.push_back(static_cast<int64_t>(f));
    return out;
}

PruningExplanation explainPruning(const LayerInspection& inspection)
{
    const Disagreement& d = inspection.disagreement;
    PruningExplanation p;
    p.filters = inspection.limits.filters;
    p.ratio = d.ratio;
    p.planPruned = prunedOf(inspection.keptFilters);
    p.planRatio = inspection.spec.prune.granularity == PruneGranularity::Filter && !p.planPruned.empty();
    int l1 = -1;
    int fpgm = -1;
    for (size_t i = 0; i < d.criteria.size(); ++i) {
        if (d.criteria[i] == Criterion::L1)
            l1 = static_cast<int>(i);
        if (d.criteria[i] == Criterion::Fpgm)
            fpgm = static_cast<int>(i);
    }
    if (l1 >= 0)
        p.l1Pruned = prunedOf(d.keep[static_cast<size_t>(l1)]);
    if (fpgm >= 0)
        p.fpgmPruned = prunedOf(d.keep[static_cast<size_t>(fpgm)]);
    if (l1 >= 0 && fpgm >= 0) {
        std::vector<int64_t> both;
        std::ranges::set_intersection(*p.l1Pruned, *p.fpgmPruned, std::back_inserter(both));
        p.overlap = static_cast<int64_t>(both.size());
        p.jaccard = d.jaccard[static_cast<size_t>(l1)][static_cast<size_t>(fpgm)];
    }
    return p;
}

// Output channel of each element along `axis` of `shape` (row-major).
int64_t channelOf(size_t index, int64_t stride, int64_t dim)
{
    return (static_cast<int64_t>(index) / stride) % dim;
}

QuantExplanation explainQuant(const QuantizedTensor& t, std::span<const float> w, const Layer& layer, const QuantSpec& spec)
{
    QuantExplanation q;
    q.scheme = spec.scheme;
    q.bits = t.bits;
    q.symmetric = spec.symmetric;
    q.perChannel = spec.perChannel;
    q.mse = t.mse;
    q.sqnrDb = t.sqnrDb;
    if (!w.empty()) {
        const auto [lo, hi] = std::ranges::minmax_element(w);
        q.weightMin = *lo;
        q.weightMax = *hi;
    }
    q.channels = std::max<int64_t>(1, static_cast<int64_t>(t.scales.size()));
    if (!t.scales.empty()) {
        const auto widest = std::ranges::max_element(t.scales) - t.scales.begin();
        q.channel = t.scales.size() > 1 ? widest : -1;
        q.scale = t.scales[static_cast<size_t>(widest)];
        if (!t.zeroPoints.empty())
            q.zeroPoint = t.zeroPoints[static_cast<size_t>(widest)];
    }
    switch (spec.scheme) {
    case QuantScheme::Uniform: {
        q.qmin = t.qmin;
        q.qmax = t.qmax;
        q.levels = static_cast<int64_t>(t.qmax) - t.qmin + 1;
        q.clipLow = static_cast<double>(t.qmin - q.zeroPoint) * q.scale;
        q.clipHigh = static_cast<double>(t.qmax - q.zeroPoint) * q.scale;
        // A weight is clipped when its code saturated: rounding alone moves a weight by at
        // most s/2, so a larger error at qmin/qmax means the clamp cut it.
        const auto axis = static_cast<size_t>(outputChannelAxis(layer));
        const auto& shape = layer.weightShape;
        int64_t stride = 1;
        for (size_t i = axis + 1; i < shape.size(); ++i)
            stride *= shape[i];
        const int64_t dim = axis < shape.size() ? shape[axis] : 1;
        const bool perElementChannel = t.scales.size() > 1 && static_cast<int64_t>(t.scales.size()) == dim;
        int64_t clipped = 0;
        for (size_t i = 0; i < w.size() && i < t.codes.size(); ++i) {
            if (t.codes[i] != t.qmin && t.codes[i] != t.qmax)
                continue;
            const size_t c = perElementChannel ? static_cast<size_t>(channelOf(i, stride, dim)) : 0;
            const double s = t.scales[std::min(c, t.scales.size() - 1)];
            const double err = std::fabs(static_cast<double>(w[i]) - static_cast<double>(t.values[i]));
            clipped += err > 0.5 * s * (1.0 + 1e-6);
        }
        q.clippedFraction = w.empty() ? 0.0 : static_cast<double>(clipped) / static_cast<double>(w.size());
        break;
    }
    case QuantScheme::Codebook:
        q.levels = static_cast<int64_t>(t.codebook.size());
        q.scale = 0.0;
        if (!t.codebook.empty()) {
            q.clipLow = t.codebook.front();
            q.clipHigh = t.codebook.back();
        }
        break;
    case QuantScheme::Binary:
        q.levels = 2;
        q.clipLow = -q.scale;
        q.clipHigh = q.scale;
        break;
    case QuantScheme::Ternary:
        q.levels = 3;
        q.clipLow = -q.scale;
        q.clipHigh = q.scale;
        break;
    case QuantScheme::Float16:
    case QuantScheme::Float32:
        q.scale = 0.0;
        q.clipLow = q.weightMin;
        q.clipHigh = q.weightMax;
        break;
    }
    return q;
}

HuffmanExplanation explainHuffman(const QuantizedTensor& t, int bits, const LayerStats* stats)
{
    HuffmanExplanation h;
    h.plainBits = bits;
    h.weights = static_cast<int64_t>(t.codes.size());
    // Counted exactly as StatsModel does, so codedBits is the stream the stats panel sizes.
    std::vector<int64_t> counts(size_t{1} << bits, 0);
    for (int32_t code : t.codes)
        if (code >= 0 && static_cast<size_t>(code) < counts.size())
            ++counts[static_cast<size_t>(code)];
    h.codedBits = huffmanBits(counts);
    h.bitsPerWeight = h.weights > 0 ? static_cast<double>(h.codedBits) / static_cast<double>(h.weights) : 0.0;
    const auto lengths = huffmanCodeLengths(counts);
    for (size_t i = 0; i < lengths.size(); ++i) {
        if (counts[i] == 0)
            continue;
        ++h.usedSymbols;
        h.shortestCode = h.shortestCode == 0 ? lengths[i] : std::min(h.shortestCode, lengths[i]);
        h.longestCode = std::max(h.longestCode, lengths[i]);
    }
    if (stats)
        h.statsBytes = stats->huffmanBytes;
    return h;
}

Result<LowRankExplanation> explainLowRank(const Model& model, const Layer& layer, int64_t rank)
{
    auto matrix = filterMatrix(model, layer);
    if (!matrix)
        return std::unexpected(matrix.error());
    auto sv = singularValues(*matrix);
    if (!sv)
        return std::unexpected(sv.error());
    if (rank > static_cast<int64_t>(sv->size()))
        return fail("rank " + std::to_string(rank) + " exceeds the layer's largest rank " + std::to_string(sv->size()));
    LowRankExplanation r;
    r.rank = rank;
    r.rows = matrix->rows();
    r.cols = matrix->cols();
    const auto explained = explainedVariance(*sv);
    r.explainedVariance = explained[static_cast<size_t>(rank - 1)];
    r.relativeError = truncationError(*sv, rank);
    r.firstSingular = sv->front();
    r.lastKeptSingular = (*sv)[static_cast<size_t>(rank - 1)];
    const int64_t bias = layer.bias.empty() ? 0 : r.rows;
    r.paramsBefore = r.rows * r.cols + bias;
    r.paramsAfter = rank * (r.rows + r.cols) + bias;
    return r;
}

} // namespace

// APoZ as the counts give it (the same apoz() that scores Criterion::Apoz).
static std::optional<ApozExplanation> explainApoz(const ActivationStats& stats, const std::string& layerName)
{
    const LayerActivationStats* counted = stats.find(layerName);
    if (!counted)
        return std::nullopt;
    ApozExplanation a;
    a.tensor = counted->site.tensor;
    a.samples = stats.samples;
    a.valuesPerChannel = counted->valuesPerChannel;
    a.channels = counted->channels();
    a.defined = counted->apozDefined();
    if (!a.defined) {
        a.reason = !counted->site.relu ? (counted->site.note.empty() ? "no ReLU follows the layer" : counted->site.note)
                                       : "no activations were counted";
        return a;
    }
    const std::vector<double> apoz = counted->apoz();
    std::vector<int64_t> order(apoz.size());
    std::iota(order.begin(), order.end(), int64_t { 0 });
    // Highest first; ties by channel index, so the list is the same on every run.
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return apoz[x] > apoz[y]; });
    double sum = 0.0;
    for (double v : apoz) {
        sum += v;
        a.mostlyZero += v >= 0.9 ? 1 : 0;
    }
    a.meanApoz = apoz.empty() ? 0.0 : sum / static_cast<double>(apoz.size());
    for (size_t i = 0; i < order.size() && i < 3; ++i)
        a.highest.emplace_back(order[i], apoz[static_cast<size_t>(order[i])]);
    return a;
}

Result<Explanation> explainLayer(const Model& model, const std::vector<Layer>& layers, int layer,
    const LayerSpec& spec, const LayerInspection& inspection, const LayerStats* stats, const ActivationStats* activations,
    const RecoveryResult* recovery)
{
    if (layer < 0 || static_cast<size_t>(layer) >= layers.size())
        return fail("no layer " + std::to_string(layer));
    if (inspection.layer != layer)
        return fail("the inspection is of layer " + std::to_string(inspection.layer) + ", not " + std::to_string(layer));
    const Layer& l = layers[static_cast<size_t>(layer)];

    Explanation e;
    e.layer = layer;
    e.name = l.name;
    e.spec = spec;

    auto pruning = explainPruning(inspection);
    if (pruning.l1Pruned || pruning.fpgmPruned)
        e.pruning = std::move(pruning);

    if (spec.quant.scheme != QuantScheme::Float32 && spec.lowRank.rank > 0) {
        // apply() quantizes a factored layer's two factors, not its weight: numbers on the
        // weight would describe something the app does not do.
        e.quantError = "the layer is factored at rank " + std::to_string(spec.lowRank.rank)
            + ", so its two factors are quantized, not the weight explained here";
    } else if (spec.quant.scheme != QuantScheme::Float32) {
        const Constant* weight = model.constant(l.weight);
        auto t = quantize(model, l, spec.quant);
        if (!t)
            e.quantError = t.error().message;
        else if (!weight)
            e.quantError = "the weight of " + l.name + " is not a constant";
        else {
            e.quant = explainQuant(*t, weight->floats, l, spec.quant);
            if (spec.quant.scheme == QuantScheme::Codebook)
                e.huffman = explainHuffman(*t, spec.quant.bits, stats);
        }
    }

    if (spec.lowRank.rank > 0) {
        if (auto r = explainLowRank(model, l, spec.lowRank.rank))
            e.lowRank = *r;
        else
            e.lowRankError = r.error().message;
    }
    if (activations)
        e.apoz = explainApoz(*activations, l.name);
    if (recovery)
        if (const LayerRecovery* r = recovery->find(l.name)) {
            e.recovery = explainRecovery(*r);
            e.recoveryImages = recovery->images;
        }
    return e;
}

} // namespace topiary
