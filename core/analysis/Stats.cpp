#include "core/analysis/Stats.h"

#include "core/export/Apply.h"
#include "core/export/ExportSize.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/compress/Huffman.h"
#include "core/compress/Importance.h"
#include "core/model/Model.h"
#include "core/plan/Plan.h"
#include "core/compress/PruneSelection.h"
#include "core/compress/Quantizer.h"
#include "core/plan/Recipe.h"
#include "core/model/NodeAttributes.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

namespace topiary {

namespace {

int64_t bytesOf(int64_t bits) { return (bits + 7) / 8; }

int bitsOf(const QuantSpec& q)
{
    const int natural = naturalBits(q.scheme);
    return natural > 0 ? natural : q.bits;
}

// Bits of the quantization parameters stored beside the codes.
int64_t overheadBits(const QuantSpec& q, int64_t channels)
{
    switch (q.scheme) {
    case QuantScheme::Float32:
    case QuantScheme::Float16:
        return 0;
    case QuantScheme::Uniform:
        return (q.perChannel ? channels : 1) * (32 + (q.symmetric ? 0 : q.bits));
    case QuantScheme::Codebook:
        return (int64_t { 1 } << q.bits) * 32;
    case QuantScheme::Binary:
    case QuantScheme::Ternary:
        return channels * 32;
    }
    return 0;
}

int64_t ceilLog2(int64_t n)
{
    int64_t bits = 0;
    while ((int64_t { 1 } << bits) < n)
        ++bits;
    return std::max<int64_t>(bits, 1);
}

int64_t roundRatio(double ratio, int64_t n)
{
    return std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(ratio * static_cast<double>(n))), 0, n);
}

// Number of sorted scores strictly below t.
int64_t countBelow(const std::vector<float>& sorted, double t)
{
    return std::lower_bound(sorted.begin(), sorted.end(), t, [](float v, double x) { return v < x; }) - sorted.begin();
}

struct SortedScores {
    std::vector<float> sorted;
    double mean = 0.0;
    double std = 0.0;
};

SortedScores sortScores(std::vector<float> v)
{
    SortedScores s;
    double sum = 0.0, sq = 0.0;
    for (float x : v) {
        sum += x;
        sq += static_cast<double>(x) * x;
    }
    if (!v.empty()) {
        s.mean = sum / static_cast<double>(v.size());
        s.std = std::sqrt(std::max(0.0, sq / static_cast<double>(v.size()) - s.mean * s.mean));
    }
    std::sort(v.begin(), v.end());
    s.sorted = std::move(v);
    return s;
}

int64_t countPruned(const SortedScores& s, const PruneSpec& spec)
{
    const auto n = static_cast<int64_t>(s.sorted.size());
    switch (spec.mode) {
    case PruneMode::Ratio:
        return roundRatio(spec.value, n);
    case PruneMode::Threshold:
        return countBelow(s.sorted, spec.value);
    case PruneMode::MeanStdRule:
        return countBelow(s.sorted, s.mean + spec.value * s.std);
    }
    return 0;
}

struct MemberRef {
    int group = -1;
    int member = -1;
};

struct TensorSegment {
    int group = -1;
    int64_t groupBegin = 0;
    int64_t count = 0;
};

struct TensorEntry {
    int64_t bytes = 0;
    int birth = 0;
    int death = 0;
    int64_t channels = 0;
    std::vector<TensorSegment> segments;
};

// An initializer that loses entries when channels are removed.
struct CutAxis {
    int axis = 0;
    MemberRef member;
};
struct CutTensor {
    std::vector<int64_t> dims;
    int64_t elementBytes = 4;
    std::vector<CutAxis> axes;
};

} // namespace

const char* weightEncodingName(WeightEncoding e)
{
    switch (e) {
    case WeightEncoding::Dense:
        return "dense";
    case WeightEncoding::Bitmask:
        return "bitmask";
    case WeightEncoding::Csr:
        return "csr";
    case WeightEncoding::Huffman:
        return "huffman";
    }
    return "?";
}

// Pruned channels under a plan: per group, and within any range of a group's channels.
// Without a selection, a range smaller than its group gets its share in proportion (and
// the stats are no longer exact).
struct ChannelCuts {
    const std::vector<DependencyGroup>& groups;
    const PruneSelection* selection = nullptr;
    std::vector<int64_t> perGroup;
    bool exact = true;

    // Pruned channels within [begin, begin+count) of group g.
    int64_t in(int g, int64_t begin, int64_t count)
    {
        const auto gi = static_cast<size_t>(g);
        const int64_t p = perGroup[gi];
        if (p == 0)
            return 0;
        if (selection) {
            const auto& ch = selection->groupChannels[gi];
            return std::lower_bound(ch.begin(), ch.end(), begin + count) - std::lower_bound(ch.begin(), ch.end(), begin);
        }
        const int64_t n = groups[gi].channels;
        if (count >= n)
            return p;
        exact = false;
        return static_cast<int64_t>(std::nearbyint(static_cast<double>(count) * static_cast<double>(p) / static_cast<double>(n)));
    }

    // Indices a member's axes lose.
    int64_t ofMember(const MemberRef& r)
    {
        const auto& m = groups[static_cast<size_t>(r.group)].members[static_cast<size_t>(r.member)];
        return in(r.group, m.groupBegin, m.count) * m.stride;
    }
};

std::vector<int64_t> prunedPerGroupOf(const PruneSelection& selection, size_t groups)
{
    std::vector<int64_t> pruned(groups, 0);
    for (size_t g = 0; g < groups && g < selection.groupChannels.size(); ++g)
        pruned[g] = static_cast<int64_t>(selection.groupChannels[g].size());
    return pruned;
}

// What the plan's storage choices change in the files apply() writes, with the shrunk
// shapes and with every shape as in the source (masked).
struct FileDeltas {
    int64_t lowRank = 0;
    int64_t maskedLowRank = 0;
    int64_t qdq = 0;
    int64_t maskedQdq = 0;
    int64_t half = 0; // float16 storage
    int64_t maskedHalf = 0;
};

struct StatsModel::Impl {
    const Model& model;
    const CostModel& cost;
    std::vector<DependencyGroup> groups;
    std::vector<std::vector<MemberRef>> producerRefs; // per layer
    std::vector<std::vector<MemberRef>> consumerRefs; // per layer
    std::vector<TensorEntry> tensors;
    std::vector<std::vector<int>> nodeOutputs; // per node: tensor indices
    std::unordered_map<std::string, int> tensorIndex;
    std::map<std::string, CutTensor> cuts;
    int64_t originalFileBytes = 0;
    int64_t originalParamBytes = 0;

    // The caches are shared by every thread that computes stats from this model (the window
    // on each edit, a fit on its worker): lookups and insertions hold the mutex, the values
    // are computed outside it, and std::map keeps references to its entries valid.
    mutable std::mutex cacheMutex;
    mutable std::map<std::pair<int, Criterion>, SortedScores> groupScoreCache;
    mutable std::map<int, SortedScores> elementScoreCache;
    mutable std::map<std::pair<int, int>, int64_t> huffmanCache; // (layer, bits) -> bits per 1e6 weights
    mutable std::optional<Plan> metadataPlan; // the plan metadataSize was measured for
    mutable int64_t metadataSize = 0;

    Impl(const Model& m, const CostModel& c, const std::vector<DependencyGroup>& g)
        : model(m)
        , cost(c)
        , groups(g)
    {
        const auto& layers = cost.layers();
        producerRefs.resize(layers.size());
        consumerRefs.resize(layers.size());
        for (size_t gi = 0; gi < groups.size(); ++gi) {
            const auto& members = groups[gi].members;
            for (size_t mi = 0; mi < members.size(); ++mi) {
                const auto& mem = members[mi];
                const MemberRef ref { static_cast<int>(gi), static_cast<int>(mi) };
                if (mem.layer >= 0 && static_cast<size_t>(mem.layer) < layers.size()) {
                    if (mem.role == MemberRole::Producer || mem.role == MemberRole::Depthwise)
                        producerRefs[static_cast<size_t>(mem.layer)].push_back(ref);
                    else if (mem.role == MemberRole::Consumer)
                        consumerRefs[static_cast<size_t>(mem.layer)].push_back(ref);
                }
                if (mem.role == MemberRole::Reshape)
                    continue;
                for (const auto& axis : mem.axes) {
                    auto [it, fresh] = cuts.try_emplace(axis.tensor);
                    if (fresh) {
                        if (const Constant* k = model.constant(axis.tensor)) {
                            it->second.dims = k->info.shape;
                            it->second.elementBytes = elementSize(k->info.elemType);
                        }
                    }
                    it->second.axes.push_back(CutAxis { axis.axis, ref });
                }
            }
        }

        const auto& nodes = model.nodes();
        const int steps = static_cast<int>(nodes.size());
        auto addTensor = [&](const std::string& name, int birth) {
            TensorEntry t;
            const TensorInfo* info = model.tensor(name);
            t.bytes = info ? info->byteSize().value_or(0) : 0;
            t.birth = birth;
            t.death = birth;
            for (int consumer : model.consumers(name))
                t.death = std::max(t.death, consumer);
            if (model.isGraphOutput(name))
                t.death = steps - 1;
            tensorIndex[name] = static_cast<int>(tensors.size());
            tensors.push_back(std::move(t));
            return static_cast<int>(tensors.size()) - 1;
        };
        for (const auto& in : model.inputs())
            addTensor(in, 0);
        nodeOutputs.resize(nodes.size());
        for (int i = 0; i < steps; ++i) {
            if (nodes[static_cast<size_t>(i)].opType == "Constant")
                continue;
            for (const auto& out : nodes[static_cast<size_t>(i)].outputs)
                if (!out.empty())
                    nodeOutputs[static_cast<size_t>(i)].push_back(addTensor(out, i));
        }
        for (size_t gi = 0; gi < groups.size(); ++gi)
            for (const auto& gt : groups[gi].tensors)
                if (auto it = tensorIndex.find(gt.tensor); it != tensorIndex.end()) {
                    auto& t = tensors[static_cast<size_t>(it->second)];
                    t.channels = gt.channels;
                    t.segments.push_back(TensorSegment { static_cast<int>(gi), gt.groupBegin, gt.count });
                }

        originalFileBytes
            = model.fileBytes() > 0 ? model.fileBytes() : static_cast<int64_t>(model.proto().ByteSizeLong());
        originalParamBytes = cost.totals().weightBytes;
    }

    const SortedScores& groupScoresFor(int g, Criterion criterion) const
    {
        auto key = std::make_pair(g, criterion);
        {
            const std::lock_guard lock(cacheMutex);
            if (auto it = groupScoreCache.find(key); it != groupScoreCache.end())
                return it->second;
        }
        const auto& layers = cost.layers();
        std::map<std::string, std::vector<float>> layerScores;
        for (int l : groups[static_cast<size_t>(g)].producers)
            if (auto s = filterScores(model, layers[static_cast<size_t>(l)], criterion, static_cast<uint64_t>(l)))
                layerScores[layers[static_cast<size_t>(l)].name] = std::move(*s);
        SortedScores sorted = sortScores(groupScores(groups[static_cast<size_t>(g)], layers, layerScores));
        const std::lock_guard lock(cacheMutex);
        return groupScoreCache.try_emplace(key, std::move(sorted)).first->second;
    }

    // Apply's float16 storage only rewrites float32 weights (16-bit sources stay as they are).
    bool weightIsFloat32(const std::string& name) const
    {
        const Constant* w = model.constant(name);
        return w && w->info.elemType == onnx::TensorProto_DataType_FLOAT;
    }

    const SortedScores& elementScoresFor(int layer) const
    {
        {
            const std::lock_guard lock(cacheMutex);
            if (auto it = elementScoreCache.find(layer); it != elementScoreCache.end())
                return it->second;
        }
        const Constant* w = model.constant(cost.layers()[static_cast<size_t>(layer)].weight);
        SortedScores sorted = sortScores(w ? elementScores(w->floats) : std::vector<float> {});
        const std::lock_guard lock(cacheMutex);
        return elementScoreCache.try_emplace(layer, std::move(sorted)).first->second;
    }

    // Huffman bits of a codebook's indices over all the layer's weights.
    int64_t huffmanBitsFor(int layer, const QuantSpec& q) const
    {
        auto key = std::make_pair(layer, q.bits);
        {
            const std::lock_guard lock(cacheMutex);
            if (auto it = huffmanCache.find(key); it != huffmanCache.end())
                return it->second;
        }
        int64_t bits = -1;
        if (auto quantized = quantize(model, cost.layers()[static_cast<size_t>(layer)], q)) {
            std::vector<int64_t> counts(size_t { 1 } << q.bits, 0);
            for (int32_t code : quantized->codes)
                if (code >= 0 && static_cast<size_t>(code) < counts.size())
                    ++counts[static_cast<size_t>(code)];
            bits = huffmanBits(counts);
        }
        const std::lock_guard lock(cacheMutex);
        return huffmanCache.try_emplace(key, bits).first->second;
    }

    // Pruned channels per group under the plan (without a selection).
    std::vector<int64_t> prunedPerGroup(const Plan& plan) const
    {
        const auto& layers = cost.layers();
        std::vector<int64_t> pruned(groups.size(), 0);
        for (size_t g = 0; g < groups.size(); ++g) {
            const auto& group = groups[g];
            if (!group.prunable)
                continue;
            const PruneSpec* spec = nullptr;
            for (int l : group.producers) {
                const auto& s = plan.spec(layers[static_cast<size_t>(l)].name).prune;
                if (s.granularity == PruneGranularity::Filter) {
                    spec = &s;
                    break;
                }
            }
            if (!spec)
                continue;
            const int64_t n = group.channels;
            int64_t p = spec->mode == PruneMode::Ratio
                ? roundRatio(spec->value, n)
                : countPruned(groupScoresFor(static_cast<int>(g), spec->criterion), *spec);
            const int64_t kept = n - p;
            const auto& o = plan.options();
            const int64_t wanted
                = o.roundChannels ? roundKeptChannels(n, kept, o.channelMultiple) : std::max<int64_t>(kept, 1);
            pruned[g] = n - std::max(kept, wanted);
        }
        return pruned;
    }

    // Share of a tensor's channels the plan keeps (1 for tensors no group runs through).
    double keptFraction(int t, ChannelCuts& pruned) const
    {
        const auto& e = tensors[static_cast<size_t>(t)];
        if (e.segments.empty() || e.channels <= 0)
            return 1.0;
        int64_t removed = 0;
        for (const auto& seg : e.segments)
            removed += pruned.in(seg.group, seg.groupBegin, seg.count);
        return static_cast<double>(e.channels - std::min(removed, e.channels)) / static_cast<double>(e.channels);
    }

    // One layer under its spec: channels, weights, MACs, then its encodings and what its
    // storage adds to the files.
    void countLayer(size_t li, const LayerSpec& spec, ChannelCuts& pruned, std::vector<int64_t>& extraAt, FileDeltas& files,
        LayerStats& s) const
    {
        const Layer& layer = cost.layers()[li];
        const NodeCost& nc = cost.forLayer(static_cast<int>(li));
        s.layer = static_cast<int>(li);

        int64_t outPruned = 0;
        for (const auto& r : producerRefs[li])
            outPruned += pruned.ofMember(r);
        int64_t inPruned = 0;
        for (const auto& r : consumerRefs[li])
            inPruned += pruned.ofMember(r);
        s.outChannels = std::max<int64_t>(0, layer.outChannels - outPruned);
        s.inChannels = layer.isDepthwise() ? s.outChannels : std::max<int64_t>(0, layer.inChannels - inPruned);

        const int64_t weightElems = product(layer.weightShape);
        const int64_t kernel = product(layer.kernel);
        const double perPair = layer.outChannels > 0 && layer.inChannels > 0
            ? static_cast<double>(weightElems) / static_cast<double>(layer.outChannels * layer.inChannels)
            : 0.0;
        const int64_t denseWeights = layer.isDepthwise()
            ? s.outChannels * kernel
            : static_cast<int64_t>(std::llround(perPair * static_cast<double>(s.outChannels * s.inChannels)));
        const double positions = weightElems > 0 ? static_cast<double>(nc.linearMacs) / static_cast<double>(weightElems) : 0.0;
        const int64_t biasElems = layer.bias.empty() ? 0 : s.outChannels;

        s.rank = spec.lowRank.rank;
        if (s.rank > 0) {
            countFactored(layer, spec, denseWeights, weightElems, kernel, files, s);
            extraAt[static_cast<size_t>(layer.node)] += static_cast<int64_t>(std::llround(positions * static_cast<double>(s.rank))) * 4;
        } else {
            s.weights = denseWeights;
            int64_t zeros = 0;
            if (pruned.selection) {
                if (auto it = pruned.selection->elementMasks.find(static_cast<int>(li)); it != pruned.selection->elementMasks.end())
                    zeros = static_cast<int64_t>(std::count(it->second.begin(), it->second.end(), uint8_t { 0 }));
            } else if (spec.prune.granularity == PruneGranularity::Element) {
                zeros = spec.prune.mode == PruneMode::Ratio
                    ? roundRatio(spec.prune.value, weightElems)
                    : countPruned(elementScoresFor(static_cast<int>(li)), spec.prune);
            }
            // Zeros spread evenly over the channels that stay.
            const double keptShare = weightElems > 0 ? static_cast<double>(denseWeights) / static_cast<double>(weightElems) : 0.0;
            s.nonzeroWeights = s.weights - static_cast<int64_t>(std::llround(static_cast<double>(zeros) * keptShare));
        }
        s.params = s.weights + biasElems;
        s.linearMacs = static_cast<int64_t>(std::llround(positions * static_cast<double>(s.weights)));
        s.effectiveMacs = static_cast<int64_t>(std::llround(positions * static_cast<double>(s.nonzeroWeights)));
        s.sparsity = s.weights > 0 ? 1.0 - static_cast<double>(s.nonzeroWeights) / static_cast<double>(s.weights) : 0.0;
        chooseEncoding(li, spec.quant, biasElems, weightElems, s);
        if (s.rank == 0)
            addStorage(layer, spec.quant, s, files);
    }

    // A factored layer: the two factors' weights, and their files (masked, the factors are
    // of the whole weight: pruned channels are zeros in it).
    void countFactored(const Layer& layer, const LayerSpec& spec, int64_t denseWeights, int64_t weightElems,
        int64_t kernel, FileDeltas& files, LayerStats& s) const
    {
        const int64_t a = s.rank * s.inChannels * std::max<int64_t>(kernel, 1);
        const int64_t b = s.outChannels * s.rank;
        s.weights = a + b;
        s.nonzeroWeights = s.weights;
        const int64_t maskedA = s.rank * layer.inChannels * std::max<int64_t>(kernel, 1);
        const int64_t maskedB = layer.outChannels * s.rank;
        const int64_t nodeBytes = 96 + 3 * static_cast<int64_t>(layer.name.size());
        files.lowRank += (s.weights - denseWeights) * 4 + nodeBytes;
        files.maskedLowRank += (maskedA + maskedB - weightElems) * 4 + nodeBytes;
        if (spec.quant.scheme == QuantScheme::Float16 && weightIsFloat32(layer.weight)) {
            // The two factors, in the weight's type (their exact dims do not change the
            // size beyond a byte); a 16-bit source writes 16-bit factors already.
            const auto half = [&](int64_t first, int64_t second) {
                return halfBytesDelta(layer.weight + "_lr_a", { s.rank, first / s.rank })
                    + halfBytesDelta(layer.weight + "_lr_b", { second / s.rank, s.rank });
            };
            files.half += half(a, b);
            files.maskedHalf += half(maskedA, maskedB);
        }
    }

    // Weight bytes at each encoding (dense, bitmask, CSR, Huffman) and the smallest.
    void chooseEncoding(size_t li, const QuantSpec& quant, int64_t biasElems, int64_t weightElems, LayerStats& s) const
    {
        s.bitsPerWeight = bitsOf(quant);
        const int64_t b = s.bitsPerWeight;
        const int64_t extra = overheadBits(quant, s.outChannels) + biasElems * 32;
        s.denseBytes = bytesOf(s.weights * b + extra);
        s.bitmaskBytes = bytesOf(s.weights + s.nonzeroWeights * b + extra);
        const int64_t rows = std::max<int64_t>(s.outChannels, 1);
        const int64_t cols = std::max<int64_t>(s.weights / rows, 1);
        s.csrBytes = bytesOf(s.nonzeroWeights * (b + ceilLog2(cols)) + (rows + 1) * 32 + extra);
        s.huffmanBytes = -1;
        if (quant.scheme == QuantScheme::Codebook && s.rank == 0) {
            const int64_t all = huffmanBitsFor(static_cast<int>(li), quant);
            if (all >= 0 && weightElems > 0) {
                const double perWeight = static_cast<double>(all) / static_cast<double>(weightElems);
                const int64_t zerosMap = s.nonzeroWeights < s.weights ? s.weights : 0;
                s.huffmanBytes = bytesOf(static_cast<int64_t>(std::llround(perWeight * static_cast<double>(s.nonzeroWeights)))
                    + zerosMap + extra + (int64_t { 1 } << quant.bits) * 8);
            }
        }
        s.encoding = WeightEncoding::Dense;
        s.encodedBytes = s.denseBytes;
        auto consider = [&](WeightEncoding e, int64_t bytes) {
            if (bytes >= 0 && bytes < s.encodedBytes) {
                s.encodedBytes = bytes;
                s.encoding = e;
            }
        };
        consider(WeightEncoding::Bitmask, s.bitmaskBytes);
        consider(WeightEncoding::Csr, s.csrBytes);
        consider(WeightEncoding::Huffman, s.huffmanBytes);
    }

    // What int8 QDQ or float16 storage of an unfactored layer changes in the files
    // (ExportSize's model of what WeightStorage writes).
    void addStorage(const Layer& layer, const QuantSpec& quant, const LayerStats& s, FileDeltas& files) const
    {
        const bool qdq = quant.scheme == QuantScheme::Uniform && quant.bits == 8;
        if (!qdq && quant.scheme != QuantScheme::Float16)
            return;
        std::vector<int64_t> dims = layer.weightShape;
        const auto outAxis = static_cast<size_t>(outputChannelAxis(layer));
        if (dims.size() >= 2) {
            const int64_t perOut = layer.kind == LayerKind::ConvTranspose ? layer.group : 1;
            dims[outAxis] = s.outChannels / perOut;
            if (!layer.isDepthwise())
                dims[outAxis == 0 ? 1 : 0] = s.inChannels / (layer.kind == LayerKind::Conv ? layer.group : 1);
        }
        if (qdq) {
            const int64_t axis = quant.perChannel ? static_cast<int64_t>(outAxis) : -1;
            files.qdq += qdqBytesDelta(layer.weight, dims, quant.symmetric, axis);
            files.maskedQdq += qdqBytesDelta(layer.weight, layer.weightShape, quant.symmetric, axis);
        } else if (weightIsFloat32(layer.weight)) {
            files.half += halfBytesDelta(layer.weight, dims);
            files.maskedHalf += halfBytesDelta(layer.weight, layer.weightShape);
        }
    }

    // Nodes that are not layers: BatchNorm parameters and non-linear MACs scale with kept channels.
    void addOtherNodes(const std::vector<double>& fraction, ModelStats& out) const
    {
        const auto& nodes = model.nodes();
        for (size_t i = 0; i < nodes.size(); ++i) {
            const NodeCost& nc = cost.nodes()[i];
            const double f = nodeOutputs[i].empty() ? 1.0 : fraction[static_cast<size_t>(nodeOutputs[i][0])];
            out.otherMacs += static_cast<int64_t>(std::llround(static_cast<double>(nc.otherMacs) * f));
            if (nc.layer < 0 && nc.params > 0) {
                const auto p = static_cast<int64_t>(std::llround(static_cast<double>(nc.params) * f));
                out.params += p;
                out.encodedBytes += static_cast<int64_t>(std::llround(static_cast<double>(nc.weightBytes) * f));
            }
        }
    }

    // Activations and the liveness peak with every tensor scaled by its kept channels.
    void addActivations(const std::vector<double>& fraction, const std::vector<int64_t>& extraAt, ModelStats& out) const
    {
        const size_t steps = model.nodes().size();
        std::vector<int64_t> delta(steps + 2, 0);
        for (size_t t = 0; t < tensors.size(); ++t) {
            const auto& e = tensors[t];
            const auto bytes = static_cast<int64_t>(std::llround(static_cast<double>(e.bytes) * fraction[t]));
            delta[static_cast<size_t>(std::max(e.birth, 0))] += bytes;
            delta[static_cast<size_t>(std::max(e.death, 0)) + 1] -= bytes;
        }
        for (size_t i = 0; i < steps; ++i)
            for (int t : nodeOutputs[i])
                out.activationBytes
                    += static_cast<int64_t>(std::llround(static_cast<double>(tensors[static_cast<size_t>(t)].bytes) * fraction[static_cast<size_t>(t)]));
        int64_t live = 0;
        for (size_t i = 0; i < steps; ++i) {
            live += delta[i];
            out.peakActivationBytes = std::max(out.peakActivationBytes, live + extraAt[i]);
            out.activationBytes += extraAt[i];
        }
    }

    // What shrinking changes in the file: every member's constants lose the pruned entries.
    int64_t shrinkDelta(ChannelCuts& pruned) const
    {
        int64_t delta = 0;
        for (const auto& [name, cut] : cuts) {
            if (cut.dims.empty())
                continue;
            std::vector<int64_t> dims = cut.dims;
            // Concat splits a tensor's axis into segments (one member each): removals add up;
            // members naming the same segment (a shared tensor) count once.
            std::map<int, int64_t> removed;
            std::set<std::tuple<int, int64_t, int64_t>> seen;
            for (const auto& a : cut.axes) {
                const auto& m = groups[static_cast<size_t>(a.member.group)].members[static_cast<size_t>(a.member.member)];
                if (seen.insert({ a.axis, m.offset * m.stride, m.count * m.stride }).second)
                    removed[a.axis] += pruned.ofMember(a.member);
            }
            for (const auto& [axis, n] : removed)
                if (axis >= 0 && static_cast<size_t>(axis) < dims.size())
                    dims[static_cast<size_t>(axis)] = std::max<int64_t>(0, dims[static_cast<size_t>(axis)] - n);
            delta += (product(dims) - product(cut.dims)) * cut.elementBytes;
        }
        return delta;
    }

    // The recipe apply() stores in the file's metadata, with its protobuf framing. The
    // recipe is written only when the plan changed since the last call: a drag recomputes
    // the stats of the same plan many times (the totals, the table, the export dialog).
    int64_t metadataBytes(const Plan& plan) const
    {
        {
            const std::lock_guard lock(cacheMutex);
            if (metadataPlan && *metadataPlan == plan)
                return metadataSize;
        }
        const auto recipe = static_cast<int64_t>(writeRecipe(Recipe { plan, model.path().filename().string(), {}, {} }).size());
        const int64_t size = recipe + 24 + ceilLog2(recipe) / 7;
        const std::lock_guard lock(cacheMutex);
        metadataPlan = plan;
        metadataSize = size;
        return size;
    }
};

StatsModel::StatsModel(const Model& model, const CostModel& cost, const std::vector<DependencyGroup>& groups)
    : m_impl(std::make_unique<Impl>(model, cost, groups))
{
}

StatsModel::~StatsModel() = default;
StatsModel::StatsModel(StatsModel&&) noexcept = default;

ModelStats StatsModel::compute(const Plan& plan, const PruneSelection* selection) const
{
    const Impl& d = *m_impl;
    ModelStats out;
    out.originalFileBytes = d.originalFileBytes;
    ChannelCuts pruned { d.groups, selection,
        selection ? prunedPerGroupOf(*selection, d.groups.size()) : d.prunedPerGroup(plan) };
    std::vector<double> fraction(d.tensors.size(), 1.0);
    for (size_t t = 0; t < d.tensors.size(); ++t)
        fraction[t] = d.keptFraction(static_cast<int>(t), pruned);

    // Extra activation bytes of factored layers (the r-channel tensor between the two halves).
    std::vector<int64_t> extraAt(d.model.nodes().size(), 0);
    FileDeltas files;
    const auto& layers = d.cost.layers();
    out.layers.resize(layers.size());
    for (size_t li = 0; li < layers.size(); ++li) {
        LayerStats& s = out.layers[li];
        d.countLayer(li, plan.spec(layers[li].name), pruned, extraAt, files, s);
        out.params += s.params;
        out.linearMacs += s.linearMacs;
        out.effectiveMacs += s.effectiveMacs;
        out.nonzeroWeights += s.nonzeroWeights;
        out.encodedBytes += s.encodedBytes;
    }
    d.addOtherNodes(fraction, out);
    d.addActivations(fraction, extraAt, out);
    out.compressionRatio = out.encodedBytes > 0 ? static_cast<double>(d.originalParamBytes) / static_cast<double>(out.encodedBytes) : 1.0;

    // apply() starts from the model as indexed: weights stored as float16 were widened.
    out.maskedFileBytes = d.originalFileBytes + d.model.widenedBytes() + d.metadataBytes(plan) + files.maskedLowRank;
    out.shrunkFileBytes = out.maskedFileBytes + d.shrinkDelta(pruned) + files.lowRank - files.maskedLowRank;
    out.shrunkQdqFileBytes = out.shrunkFileBytes + files.qdq;
    out.maskedQdqFileBytes = out.maskedFileBytes + files.maskedQdq;
    out.shrunkHalfDelta = files.half;
    out.maskedHalfDelta = files.maskedHalf;
    out.exact = pruned.exact;
    return out;
}

int64_t predictedFileBytes(const ModelStats& stats, const ApplyOptions& options)
{
    // Float16 and 8-bit layers are different layers: the two storages add up.
    if (options.shrink)
        return (options.int8Qdq ? stats.shrunkQdqFileBytes : stats.shrunkFileBytes) + (options.float16 ? stats.shrunkHalfDelta : 0);
    return (options.int8Qdq ? stats.maskedQdqFileBytes : stats.maskedFileBytes) + (options.float16 ? stats.maskedHalfDelta : 0);
}

namespace {

template <typename Field>
std::vector<double> shareOf(const ModelStats& stats, Field field)
{
    double total = 0.0;
    for (const LayerStats& layer : stats.layers)
        total += static_cast<double>(layer.*field);
    std::vector<double> shares(stats.layers.size(), 0.0);
    if (total > 0.0)
        for (size_t i = 0; i < shares.size(); ++i)
            shares[i] = static_cast<double>(stats.layers[i].*field) / total;
    return shares;
}

} // namespace

std::vector<double> macsShare(const ModelStats& stats)
{
    return shareOf(stats, &LayerStats::linearMacs);
}

std::vector<double> paramsShare(const ModelStats& stats)
{
    return shareOf(stats, &LayerStats::params);
}

} // namespace topiary
