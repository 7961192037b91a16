#include "core/plan/Plan.h"

#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace topiary {

namespace {

const Plan::Specs& emptySpecs()
{
    static const Plan::Specs specs;
    return specs;
}

const LayerSpec& defaultSpec()
{
    static const LayerSpec spec;
    return spec;
}

bool isConv(const Layer& layer)
{
    return layer.kind == LayerKind::Conv || layer.kind == LayerKind::ConvTranspose;
}

bool skipped(size_t index, size_t count, bool skipFirstLast)
{
    return skipFirstLast && (index == 0 || index + 1 == count);
}

// Calls `edit` on every layer but the first and last when skipFirstLast, noting those.
template <class Edit>
void forEachLayerEdited(
    const std::vector<Layer>& layers, bool skipFirstLast, std::vector<SkippedLayer>* skippedOut, Edit edit)
{
    for (size_t i = 0; i < layers.size(); ++i) {
        if (!skipped(i, layers.size(), skipFirstLast))
            edit(layers[i]);
        else if (skippedOut)
            skippedOut->push_back(
                { layers[i].name, std::string(i == 0 ? "the first layer" : "the last layer") + " (--skip-first-last)" });
    }
}

// What is ranked together: one layer, or the producers of one group.
struct RankUnit {
    std::vector<std::string> layers;
    std::vector<float> scores;
};

Plan rankGlobally(const Plan& plan, const std::vector<RankUnit>& units, const GlobalThreshold& options)
{
    struct Entry {
        float score;
        size_t unit;
        size_t channel;
    };
    std::vector<Entry> entries;
    for (size_t u = 0; u < units.size(); ++u) {
        const auto& scores = units[u].scores;
        float max = 0.0f;
        for (float s : scores)
            if (std::isfinite(s))
                max = std::max(max, s);
        for (size_t c = 0; c < scores.size(); ++c) {
            float s = std::isnan(scores[c]) ? std::numeric_limits<float>::infinity() : scores[c];
            if (options.normalizePerLayer && max > 0.0f && std::isfinite(s))
                s /= max;
            entries.push_back({ s, u, c });
        }
    }
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.score < b.score; });
    const double ratio = std::clamp(options.ratio, 0.0, 1.0);
    const auto cut = static_cast<size_t>(std::llround(ratio * static_cast<double>(entries.size())));

    std::vector<int64_t> pruned(units.size(), 0);
    for (size_t i = 0; i < cut && i < entries.size(); ++i)
        ++pruned[entries[i].unit];

    Plan out = plan;
    for (size_t u = 0; u < units.size(); ++u) {
        const auto n = static_cast<int64_t>(units[u].scores.size());
        if (n == 0)
            continue;
        const auto cap = std::min<int64_t>(
            n - 1, static_cast<int64_t>(std::floor(options.maxLayerRatio * static_cast<double>(n))));
        const int64_t count = std::clamp<int64_t>(pruned[u], 0, std::max<int64_t>(cap, 0));
        PruneSpec spec;
        if (count > 0)
            spec = PruneSpec { PruneGranularity::Filter, options.criterion, PruneMode::Ratio,
                static_cast<double>(count) / static_cast<double>(n) };
        for (const auto& layer : units[u].layers)
            out.setPrune(layer, spec);
    }
    return out;
}

} // namespace

// ---- Plan

const Plan::Specs& Plan::layers() const
{
    return m_specs ? *m_specs : emptySpecs();
}

const LayerSpec& Plan::spec(std::string_view layer) const
{
    const auto& specs = layers();
    auto it = specs.find(layer);
    return it == specs.end() ? defaultSpec() : it->second;
}

bool Plan::contains(std::string_view layer) const
{
    return layers().contains(layer);
}

Plan::Specs& Plan::mutableSpecs()
{
    if (!m_specs || m_specs.use_count() > 1)
        m_specs = std::make_shared<Specs>(layers());
    return *m_specs;
}

void Plan::set(const std::string& layer, const LayerSpec& spec)
{
    if (spec == LayerSpec {}) {
        if (!contains(layer))
            return;
        mutableSpecs().erase(layer);
        if (m_specs->empty())
            m_specs.reset();
        return;
    }
    if (auto it = layers().find(layer); it != layers().end() && it->second == spec)
        return;
    mutableSpecs()[layer] = spec;
}

void Plan::setPrune(const std::string& layer, const PruneSpec& prune)
{
    LayerSpec s = spec(layer);
    s.prune = prune;
    set(layer, s);
}

void Plan::setQuant(const std::string& layer, const QuantSpec& quant)
{
    LayerSpec s = spec(layer);
    s.quant = quant;
    set(layer, s);
}

void Plan::setLowRank(const std::string& layer, const LowRankSpec& lowRank)
{
    LayerSpec s = spec(layer);
    s.lowRank = lowRank;
    set(layer, s);
}

void Plan::setActivation(const std::string& layer, const ActivationSpec& act)
{
    LayerSpec s = spec(layer);
    s.act = act;
    set(layer, s);
}

Plan Plan::with(const std::string& layer, const LayerSpec& spec) const
{
    Plan p = *this;
    p.set(layer, spec);
    return p;
}

Plan Plan::withPrune(const std::string& layer, const PruneSpec& prune) const
{
    Plan p = *this;
    p.setPrune(layer, prune);
    return p;
}

Plan Plan::withQuant(const std::string& layer, const QuantSpec& quant) const
{
    Plan p = *this;
    p.setQuant(layer, quant);
    return p;
}

Plan Plan::withLowRank(const std::string& layer, const LowRankSpec& lowRank) const
{
    Plan p = *this;
    p.setLowRank(layer, lowRank);
    return p;
}

Plan Plan::withOptions(const PlanOptions& options) const
{
    Plan p = *this;
    p.m_options = options;
    return p;
}

Plan Plan::withRecovery(const RecoverySpec& recovery) const
{
    Plan p = *this;
    p.m_recovery = recovery;
    return p;
}

Plan Plan::withActivationRanges(const ActivationRanges& ranges) const
{
    Plan p = *this;
    p.m_ranges = ranges;
    return p;
}

bool Plan::operator==(const Plan& other) const
{
    if (!(m_options == other.m_options) || !(m_recovery == other.m_recovery) || !(m_ranges == other.m_ranges))
        return false;
    if (m_specs == other.m_specs)
        return true;
    return layers() == other.layers();
}

// ---- diff

PlanDiff diff(const Plan& before, const Plan& after)
{
    PlanDiff d;
    d.optionsChanged = !(before.options() == after.options());
    d.recoveryChanged = !(before.recovery() == after.recovery());
    d.rangesChanged = !(before.activationRanges() == after.activationRanges());
    const auto& a = before.layers();
    const auto& b = after.layers();
    if (&a == &b)
        return d;
    auto ia = a.begin();
    auto ib = b.begin();
    while (ia != a.end() || ib != b.end()) {
        if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
            d.layers.push_back(ia++->first);
        } else if (ia == a.end() || ib->first < ia->first) {
            d.layers.push_back(ib++->first);
        } else {
            if (!(ia->second == ib->second))
                d.layers.push_back(ia->first);
            ++ia, ++ib;
        }
    }
    return d;
}

int firstChangedLayer(
    const Plan& before, const Plan& after, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups)
{
    const PlanDiff d = diff(before, after);
    if (d.empty())
        return -1;
    const std::vector<int> groupOf = producerGroupOfLayers(groups, layers.size());
    std::set<std::string, std::less<>> changed(d.layers.begin(), d.layers.end());
    int first = -1;
    auto consider = [&](int layer) {
        if (layer >= 0 && (first < 0 || layer < first))
            first = layer;
    };
    auto considerGroup = [&](int g) {
        const auto& group = groups[static_cast<size_t>(g)];
        for (int l : group.producers)
            consider(l);
        for (int l : group.consumers)
            consider(l);
    };
    for (size_t i = 0; i < layers.size(); ++i) {
        const std::string& name = layers[i].name;
        const PruneSpec& pa = before.spec(name).prune;
        const PruneSpec& pb = after.spec(name).prune;
        const bool filter = pa.granularity == PruneGranularity::Filter || pb.granularity == PruneGranularity::Filter;
        const int g = groupOf[i];
        if (changed.contains(name)) {
            consider(static_cast<int>(i));
            if (g >= 0 && filter && !(pa == pb))
                considerGroup(g);
        } else if (d.optionsChanged && filter) {
            consider(static_cast<int>(i));
            if (g >= 0)
                considerGroup(g);
        }
        // Ranges are placed from the first quantized input on (ActivationPlacement).
        if (d.rangesChanged && (before.spec(name).act.quantized() || after.spec(name).act.quantized()))
            consider(static_cast<int>(i));
        if (d.recoveryChanged && (before.contains(name) || after.contains(name))) {
            consider(static_cast<int>(i));
            if (g >= 0 && filter)
                considerGroup(g);
        }
    }
    return first;
}

// ---- global edits

Plan pruneAllConvs(const Plan& plan, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups,
    const PruneSpec& spec, bool skipFirstLast)
{
    Plan out = plan;
    const size_t n = layers.size();
    if (spec.granularity != PruneGranularity::Filter) {
        for (size_t i = 0; i < n; ++i)
            if (isConv(layers[i]) && !skipped(i, n, skipFirstLast))
                out.setPrune(layers[i].name, spec);
        return out;
    }
    for (const auto& group : groups) {
        if (!group.prunable)
            continue;
        bool hasConv = false, hasSkipped = false;
        for (int l : group.producers) {
            const auto li = static_cast<size_t>(l);
            hasConv = hasConv || isConv(layers[li]);
            hasSkipped = hasSkipped || skipped(li, n, skipFirstLast);
        }
        if (!hasConv || hasSkipped)
            continue;
        for (int l : group.producers)
            out.setPrune(layers[static_cast<size_t>(l)].name, spec);
    }
    return out;
}

Plan pruneAllLayers(const Plan& plan, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups,
    const PruneSpec& spec, bool skipFirstLast, std::vector<SkippedLayer>* skippedOut)
{
    Plan out = plan;
    const size_t n = layers.size();
    auto skip = [&](size_t layer, std::string reason) {
        if (skippedOut)
            skippedOut->push_back({ layers[layer].name, std::move(reason) });
    };
    auto endName = [&](size_t i) { return i == 0 ? "the first layer" : "the last layer"; };
    if (spec.granularity != PruneGranularity::Filter) {
        for (size_t i = 0; i < n; ++i) {
            if (skipped(i, n, skipFirstLast))
                skip(i, std::string(endName(i)) + " (--skip-first-last)");
            else
                out.setPrune(layers[i].name, spec);
        }
        return out;
    }
    const std::vector<int> groupOf = producerGroupOfLayers(groups, n);
    for (size_t i = 0; i < n; ++i)
        if (groupOf[i] < 0)
            skip(i, "its filters are in no dependency group (nothing reads them that could lose channels)");
    for (const auto& group : groups) {
        std::string reason;
        if (!group.prunable) {
            reason = "filters cannot be removed: " + group.reason;
        } else {
            for (int l : group.producers)
                if (skipped(static_cast<size_t>(l), n, skipFirstLast) && reason.empty())
                    reason = group.producers.size() == 1
                        ? std::string(endName(static_cast<size_t>(l))) + " (--skip-first-last)"
                        : "shares its channels with " + std::string(endName(static_cast<size_t>(l))) + " '"
                            + layers[static_cast<size_t>(l)].name + "' (--skip-first-last)";
        }
        for (int l : group.producers) {
            const auto li = static_cast<size_t>(l);
            if (reason.empty())
                out.setPrune(layers[li].name, spec);
            else if (skipped(li, n, skipFirstLast) && group.prunable)
                skip(li, std::string(endName(li)) + " (--skip-first-last)");
            else
                skip(li, reason);
        }
    }
    return out;
}

Plan quantizeAll(const Plan& plan, const std::vector<Layer>& layers, const QuantSpec& quant, bool skipFirstLast,
    std::vector<SkippedLayer>* skippedOut)
{
    Plan out = plan;
    forEachLayerEdited(layers, skipFirstLast, skippedOut, [&](const Layer& l) { out.setQuant(l.name, quant); });
    return out;
}

bool quantizesActivations(const Plan& plan)
{
    return std::any_of(plan.layers().begin(), plan.layers().end(),
        [](const auto& entry) { return entry.second.act.quantized(); });
}

Plan quantizeAllActivations(const Plan& plan, const std::vector<Layer>& layers, const ActivationSpec& act,
    bool skipFirstLast, std::vector<SkippedLayer>* skippedOut)
{
    Plan out = plan;
    forEachLayerEdited(layers, skipFirstLast, skippedOut, [&](const Layer& l) { out.setActivation(l.name, act); });
    return out;
}

Plan pruneGlobalThreshold(
    const Plan& plan, const std::map<std::string, std::vector<float>>& scores, const GlobalThreshold& options)
{
    std::vector<RankUnit> units;
    for (const auto& [name, s] : scores)
        units.push_back({ { name }, s });
    return rankGlobally(plan, units, options);
}

Plan pruneGlobalThreshold(const Plan& plan, const std::map<std::string, std::vector<float>>& scores,
    const GlobalThreshold& options, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups)
{
    std::vector<RankUnit> units;
    for (const auto& group : groups) {
        if (!group.prunable)
            continue;
        RankUnit unit;
        bool scored = false;
        for (int l : group.producers) {
            const std::string& name = layers[static_cast<size_t>(l)].name;
            unit.layers.push_back(name);
            scored = scored || scores.contains(name);
        }
        if (!scored)
            continue;
        unit.scores = groupScores(group, layers, scores, ScoreReduction::Mean);
        units.push_back(std::move(unit));
    }
    return rankGlobally(plan, units, options);
}

Plan withLayerPrune(const Plan& plan, const std::vector<Layer>& layers, const std::vector<DependencyGroup>& groups,
    int layer, const PruneSpec& spec)
{
    Plan out = plan;
    if (layer < 0 || static_cast<size_t>(layer) >= layers.size())
        return out;
    const auto& name = layers[static_cast<size_t>(layer)].name;
    const bool filter = spec.granularity == PruneGranularity::Filter
        || plan.spec(name).prune.granularity == PruneGranularity::Filter;
    const int g = filter ? producerGroupOf(groups, layer) : -1;
    if (g < 0) {
        out.setPrune(name, spec);
        return out;
    }
    for (int l : groups[static_cast<size_t>(g)].producers)
        out.setPrune(layers[static_cast<size_t>(l)].name, spec);
    return out;
}

} // namespace topiary
