#include "core/analysis/FilterTrace.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <tuple>

namespace topiary {

namespace {

constexpr int kUnreached = std::numeric_limits<int>::max();

TraceRole traceRole(MemberRole role)
{
    switch (role) {
    case MemberRole::Producer:
        return TraceRole::Partner;
    case MemberRole::Depthwise:
        return TraceRole::Depthwise;
    case MemberRole::Consumer:
        return TraceRole::Consumer;
    case MemberRole::Norm:
        return TraceRole::Norm;
    case MemberRole::Elementwise:
        return TraceRole::Elementwise;
    case MemberRole::Reshape:
        return TraceRole::Reshape;
    }
    return TraceRole::PassThrough;
}

std::string nodeLabel(const Model& model, int node)
{
    const Node& n = model.node(node);
    return n.name + " (" + n.opType + ")";
}

std::string range(int64_t begin, int64_t end)
{
    return end - begin == 1 ? std::to_string(begin) : std::to_string(begin) + ".." + std::to_string(end - 1);
}

std::string describe(const Model& model, const TraceStep& s, int64_t filter, int64_t stride)
{
    const std::string who = nodeLabel(model, s.node);
    const std::string via = s.tensors.empty() ? std::string() : " of '" + s.tensors.front().tensor + "'";
    switch (s.role) {
    case TraceRole::Filter:
        return who + ": filter " + std::to_string(filter) + " is removed";
    case TraceRole::Partner:
        return who + ": filter " + std::to_string(s.begin)
            + " is removed too: it makes the same channel (a residual partner joined by an Add, or the layer feeding a depthwise one)";
    case TraceRole::Depthwise:
        return who + ": depthwise filter " + std::to_string(s.begin) + " and its output channel are removed";
    case TraceRole::Norm:
        return who + ": channel " + std::to_string(s.begin) + " (scale, shift, mean, variance) is removed";
    case TraceRole::Consumer:
        if (stride > 1)
            return who + ": input columns " + range(s.begin, s.end) + " are removed (channel "
                + std::to_string(s.channel) + " × " + std::to_string(stride) + " positions after Flatten)";
        return who + ": input channel " + std::to_string(s.begin) + " is removed";
    case TraceRole::Elementwise:
        return who + ": entry " + range(s.begin, s.end) + " of its per-channel constant is removed";
    case TraceRole::Reshape:
        return who + ": its shape holds the channel count literally and is recomputed with one channel fewer";
    case TraceRole::PassThrough:
        return who + ": channel " + std::to_string(s.channel) + via + " disappears";
    }
    return who;
}

} // namespace

const char* traceRoleName(TraceRole role)
{
    switch (role) {
    case TraceRole::Filter:
        return "filter";
    case TraceRole::Partner:
        return "partner";
    case TraceRole::Depthwise:
        return "depthwise";
    case TraceRole::Norm:
        return "norm";
    case TraceRole::Consumer:
        return "consumer";
    case TraceRole::Elementwise:
        return "elementwise";
    case TraceRole::Reshape:
        return "reshape";
    case TraceRole::PassThrough:
        return "pass-through";
    }
    return "?";
}

Result<FilterTrace> traceFilter(const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, int layer, int64_t filter)
{
    if (layer < 0 || static_cast<size_t>(layer) >= layers.size())
        return fail("no layer " + std::to_string(layer) + " (the model has " + std::to_string(layers.size()) + ")");
    const Layer& l = layers[static_cast<size_t>(layer)];
    if (filter < 0 || filter >= l.outChannels)
        return fail("layer '" + l.name + "' has no filter " + std::to_string(filter) + " (it has "
            + std::to_string(l.outChannels) + ")");
    const int g = producerGroupOf(groups, layer);
    if (g < 0)
        return fail("the filters of layer '" + l.name + "' belong to no dependency group");
    const DependencyGroup& group = groups[static_cast<size_t>(g)];

    // The group channel that is this layer's filter.
    const GroupMember* own = nullptr;
    for (const auto& m : group.members)
        if ((m.role == MemberRole::Producer || m.role == MemberRole::Depthwise) && m.layer == layer
            && filter >= m.offset && filter < m.offset + m.count) {
            own = &m;
            break;
        }
    if (!own)
        return fail("filter " + std::to_string(filter) + " of layer '" + l.name + "' is in no dependency group");
    const int64_t k = own->groupBegin + (filter - own->offset);

    FilterTrace trace;
    trace.layer = layer;
    trace.filter = filter;
    trace.group = g;
    trace.groupChannel = k;
    trace.prunable = group.prunable;
    trace.reason = group.reason;

    // Activations carrying channel k, and where they carry it.
    std::map<std::string, TraceTensor> carriers;
    for (const auto& t : group.tensors)
        if (k >= t.groupBegin && k < t.groupBegin + t.count)
            carriers.emplace(t.tensor, TraceTensor { t.tensor, t.offset + (k - t.groupBegin), t.channels });

    // Hops: breadth-first over the node graph, in both directions, along the tensors that
    // carry the channel (a residual partner sits behind the Add, upstream). Nodes the
    // channel reaches only through tensors the analysis does not list fall back to plain
    // graph distance.
    const int nodeCount = static_cast<int>(model.nodes().size());
    struct Reach {
        std::vector<int> dist;
        std::vector<int> parent;
    };
    auto bfs = [&](bool carriersOnly) {
        Reach r { std::vector<int>(static_cast<size_t>(nodeCount), kUnreached),
            std::vector<int>(static_cast<size_t>(nodeCount), -1) };
        auto& dist = r.dist;
        std::deque<int> queue { l.node };
        dist[static_cast<size_t>(l.node)] = 0;
        auto visit = [&](int from, int to) {
            if (to >= 0 && dist[static_cast<size_t>(to)] == kUnreached) {
                dist[static_cast<size_t>(to)] = dist[static_cast<size_t>(from)] + 1;
                r.parent[static_cast<size_t>(to)] = from;
                queue.push_back(to);
            }
        };
        while (!queue.empty()) {
            const int n = queue.front();
            queue.pop_front();
            const Node& node = model.node(n);
            for (const auto& out : node.outputs)
                if (!carriersOnly || carriers.contains(out))
                    for (int c : model.consumers(out))
                        visit(n, c);
            for (const auto& in : node.inputs)
                if (!in.empty() && (!carriersOnly || carriers.contains(in)))
                    visit(n, model.producer(in));
        }
        return r;
    };
    const Reach near = bfs(true);
    Reach far;
    // (hop, the node it is reached from)
    auto hopOf = [&](int node) -> std::pair<int, int> {
        const auto n = static_cast<size_t>(node);
        if (near.dist[n] != kUnreached)
            return { near.dist[n], near.parent[n] };
        if (far.dist.empty())
            far = bfs(false);
        return { far.dist[n], far.parent[n] };
    };
    auto tensorsAt = [&](const std::vector<std::string>& names) {
        std::vector<TraceTensor> out;
        for (const auto& name : names)
            if (auto it = carriers.find(name); it != carriers.end())
                out.push_back(it->second);
        return out;
    };

    std::set<int> memberNodes;
    for (const auto& m : group.members) {
        if (!m.covers(k))
            continue;
        memberNodes.insert(m.node);
        TraceStep s;
        s.node = m.node;
        s.layer = m.layer;
        s.role = traceRole(m.role);
        if (&m == own)
            s.role = TraceRole::Filter;
        s.channel = m.channelOf(k);
        s.begin = s.channel * m.stride;
        s.end = s.begin + m.stride;
        s.axes = m.axes;
        const Node& node = model.node(m.node);
        s.tensors = tensorsAt(m.role == MemberRole::Consumer ? node.inputs : node.outputs);
        std::tie(s.hop, s.from) = hopOf(m.node);
        s.description = describe(model, s, filter, m.stride);
        trace.steps.push_back(std::move(s));
    }
    // Nodes without weights that pass the channel on: they lose it from their output.
    for (int n = 0; n < nodeCount; ++n) {
        if (memberNodes.contains(n))
            continue;
        auto tensors = tensorsAt(model.node(n).outputs);
        if (tensors.empty())
            continue;
        TraceStep s;
        s.node = n;
        s.role = TraceRole::PassThrough;
        s.channel = tensors.front().channel;
        s.begin = s.channel;
        s.end = s.channel + 1;
        s.tensors = std::move(tensors);
        std::tie(s.hop, s.from) = hopOf(n);
        s.description = describe(model, s, filter, 1);
        trace.steps.push_back(std::move(s));
    }
    // Unreachable nodes (should the graph be disconnected) go last.
    for (auto& s : trace.steps)
        if (s.hop == kUnreached)
            s.hop = -1;
    int maxHop = 0;
    for (const auto& s : trace.steps)
        maxHop = std::max(maxHop, s.hop);
    for (auto& s : trace.steps)
        if (s.hop < 0)
            s.hop = maxHop + 1;
    std::stable_sort(trace.steps.begin(), trace.steps.end(), [](const TraceStep& a, const TraceStep& b) {
        if (a.hop != b.hop)
            return a.hop < b.hop;
        if (a.node != b.node)
            return a.node < b.node;
        return a.role < b.role;
    });
    return trace;
}

} // namespace topiary
