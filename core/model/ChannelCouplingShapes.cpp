#include "core/model/ChannelCoupling.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/NodeAttributes.h"
#include "core/model/TensorData.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <set>

namespace topiary::coupling {

void ChannelCoupling::visitConcat(int node)
{
    const Node& n = m_model.node(node);
    const auto* outShape = shapeOf(n.outputs[0]);
    if (!outShape) {
        opaque(node, nodeText(node) + " has an output of unknown shape");
        return;
    }
    const int rank = static_cast<int>(outShape->size());
    int64_t axis = intAttribute(m_model.nodeProto(node), "axis", 1);
    if (axis < 0)
        axis += rank;
    const Layout* ref = nullptr;
    for (const auto& in : n.inputs)
        if (const Layout* l = layout(in); l && !ref)
            ref = l;
    if (axis != ref->axis || ref->rank != rank || ref->stride != 1) {
        // Joined along another axis: every input carries the same channels.
        for (const auto& in : n.inputs) {
            const Layout* l = layout(in);
            if (!l || l->axis != ref->axis || l->rank != rank || l->channels() != ref->channels()
                || l->stride != ref->stride) {
                opaque(node, nodeText(node) + " joins tensors whose channels do not line up");
                return;
            }
        }
        for (const auto& in : n.inputs)
            unify(node, *ref, *layout(in));
        m_layouts[n.outputs[0]] = *ref;
        return;
    }
    Layout out { {}, ref->axis, rank, 1 };
    for (const auto& in : n.inputs) {
        const Layout* l = layout(in);
        if (l && l->axis == out.axis && l->rank == rank && l->stride == 1) {
            out.segments.insert(out.segments.end(), l->segments.begin(), l->segments.end());
            continue;
        }
        const auto* shape = shapeOf(in);
        if (l || !shape || static_cast<int>(shape->size()) != rank || (*shape)[static_cast<size_t>(axis)] <= 0) {
            opaque(node, nodeText(node) + " joins channels that cannot be tracked");
            return;
        }
        // A constant or untracked part: channels of their own, not prunable.
        const int s = newSource((*shape)[static_cast<size_t>(axis)], -1);
        poisonSource(s, "channels come from '" + in + "', joined by " + nodeText(node));
        out.segments.push_back(Segment { s, 0, (*shape)[static_cast<size_t>(axis)] });
    }
    m_layouts[n.outputs[0]] = out;
}

void ChannelCoupling::visitFlatten(int node)
{
    const Node& n = m_model.node(node);
    const Layout* in = layout(n.inputs[0]);
    const auto* shape = shapeOf(n.inputs[0]);
    int64_t axis = intAttribute(m_model.nodeProto(node), "axis", 1);
    if (shape && axis < 0)
        axis += static_cast<int64_t>(shape->size());
    if (!in || !shape || axis != in->axis) {
        opaque(node, nodeText(node) + " mixes the channel axis with other axes");
        return;
    }
    const int64_t inner = product(std::span(*shape).subspan(static_cast<size_t>(in->axis) + 1));
    if (inner <= 0) {
        opaque(node, nodeText(node) + " flattens dimensions of unknown size");
        return;
    }
    Layout out = *in;
    out.rank = 2;
    out.axis = 1;
    out.stride = in->stride * inner;
    m_layouts[n.outputs[0]] = out;
}

void ChannelCoupling::visitReshape(int node)
{
    const Node& n = m_model.node(node);
    const Layout* in = layout(n.inputs[0]);
    const auto* s = shapeOf(n.inputs[0]);
    const auto* t = shapeOf(n.outputs[0]);
    const std::string why = nodeText(node)
        + " regroups the channels (a channel shuffle, split or merge): "
          "its shape depends on the channel count";
    if (!in || !s || !t || in->rank != static_cast<int>(s->size())) {
        opaque(node, why);
        return;
    }
    const auto a = static_cast<size_t>(in->axis);
    const bool prefixKept
        = t->size() > a && std::equal(s->begin(), s->begin() + static_cast<long>(a) + 1, t->begin());
    Layout out = *in;
    out.rank = static_cast<int>(t->size());
    if (prefixKept && in->stride == 1) {
        // e.g. N x C x H x W -> N x C x (H·W): the channel axis stays whole.
    } else if (t->size() == a + 1 && std::equal(s->begin(), s->begin() + static_cast<long>(a), t->begin())
        && product(std::span(*s).subspan(a)) == (*t)[a]) {
        // Flatten written as a Reshape: N x C x H x W -> N x (C·H·W).
        out.stride = in->stride * product(std::span(*s).subspan(a + 1));
    } else {
        opaque(node, why);
        return;
    }
    // A literal channel count in a constant shape must be rewritten when channels go.
    if (const Constant* c = n.inputs.size() > 1 ? m_model.resolveConstant(n.inputs[1]) : nullptr;
        c && c->ints.size() > a && c->ints[a] > 0)
        addMembers(MemberRole::Reshape, node, -1, *in, {});
    m_layouts[n.outputs[0]] = out;
}

void ChannelCoupling::visitTranspose(int node)
{
    const Node& n = m_model.node(node);
    const Layout* in = layout(n.inputs[0]);
    auto perm = intsAttribute(m_model.nodeProto(node), "perm");
    if (!perm) { // default: reverse the axes
        perm.emplace(static_cast<size_t>(in->rank));
        std::iota(perm->rbegin(), perm->rend(), 0);
    }
    const auto it = std::find(perm->begin(), perm->end(), in->axis);
    if (in->stride != 1 || static_cast<int>(perm->size()) != in->rank || it == perm->end()) {
        opaque(node, nodeText(node) + " moves flattened channels");
        return;
    }
    Layout out = *in;
    out.axis = static_cast<int>(it - perm->begin());
    m_layouts[n.outputs[0]] = out;
}

std::optional<std::vector<int64_t>> ChannelCoupling::axesOf(int node, size_t inputIndex) const
{
    const Node& n = m_model.node(node);
    if (auto attr = intsAttribute(m_model.nodeProto(node), "axes"))
        return attr;
    if (n.inputs.size() > inputIndex && !n.inputs[inputIndex].empty()) {
        if (const Constant* c = m_model.resolveConstant(n.inputs[inputIndex]))
            return c->ints;
        return std::nullopt; // computed at run time: unknown
    }
    return std::vector<int64_t> {};
}

void ChannelCoupling::visitSqueeze(int node)
{
    const Node& n = m_model.node(node);
    const Layout* in = layout(n.inputs[0]);
    const auto* t = shapeOf(n.outputs[0]);
    auto axes = axesOf(node, 1);
    if (!axes || !t || axes->empty()) {
        opaque(node, nodeText(node) + " changes axes that cannot be read");
        return;
    }
    const bool squeeze = n.opType == "Squeeze";
    const int outRank = static_cast<int>(t->size());
    const int rankForAxes = squeeze ? in->rank : outRank;
    for (auto& x : *axes)
        if (x < 0)
            x += rankForAxes;
    Layout out = *in;
    out.rank = outRank;
    if (squeeze) {
        if (std::find(axes->begin(), axes->end(), in->axis) != axes->end()) {
            opaque(node, nodeText(node) + " removes the channel axis");
            return;
        }
        out.axis = in->axis
            - static_cast<int>(std::count_if(axes->begin(), axes->end(), [&](int64_t x) { return x < in->axis; }));
    } else {
        // Walk the output axes: inserted ones are skipped, the others are the input's in order.
        int inAxis = 0;
        for (int o = 0; o < outRank; ++o) {
            if (std::find(axes->begin(), axes->end(), o) != axes->end())
                continue;
            if (inAxis++ == in->axis) {
                out.axis = o;
                break;
            }
        }
    }
    m_layouts[n.outputs[0]] = out;
}

void ChannelCoupling::visitReduce(int node)
{
    const Node& n = m_model.node(node);
    const Layout* in = layout(n.inputs[0]);
    const auto& proto = m_model.nodeProto(node);
    auto axes = axesOf(node, 1);
    if (!axes || axes->empty() || in->stride != 1) {
        opaque(node, nodeText(node) + " reduces over the channels");
        return;
    }
    for (auto& x : *axes)
        if (x < 0)
            x += in->rank;
    if (std::find(axes->begin(), axes->end(), in->axis) != axes->end()) {
        opaque(node, nodeText(node) + " reduces over the channels");
        return;
    }
    Layout out = *in;
    if (intAttribute(proto, "keepdims", 1) == 0) {
        out.rank -= static_cast<int>(axes->size());
        out.axis
            -= static_cast<int>(std::count_if(axes->begin(), axes->end(), [&](int64_t x) { return x < in->axis; }));
    }
    m_layouts[n.outputs[0]] = out;
}

void ChannelCoupling::visitSplitOrSlice(int node)
{
    const Node& n = m_model.node(node);
    const Layout* in = layout(n.inputs[0]);
    for (const auto& out : n.outputs)
        if (!channelsKept(*in, out)) {
            opaque(node, nodeText(node) + " cuts the channel axis at fixed channel counts");
            return;
        }
    for (const auto& out : n.outputs)
        m_layouts[out] = *in;
}

// Reading the shape is harmless unless the channel count is picked out of it.
void ChannelCoupling::visitShape(int node)
{
    const Node& n = m_model.node(node);
    const Layout* in = layout(n.inputs[0]);
    const auto& proto = m_model.nodeProto(node);
    bool safe = !attributeNamed(proto, "start") && !attributeNamed(proto, "end");
    for (int user : m_model.consumers(n.outputs[0])) {
        const Node& u = m_model.node(user);
        const Constant* idx = u.inputs.size() > 1 ? m_model.resolveConstant(u.inputs[1]) : nullptr;
        safe = safe && u.opType == "Gather" && u.inputs[0] == n.outputs[0] && idx
            && std::none_of(idx->ints.begin(), idx->ints.end(),
                [&](int64_t x) { return x == in->axis || x == in->axis - in->rank; });
    }
    if (!safe)
        poison(*in, nodeText(node) + " reads the channel count");
}

void ChannelCoupling::visitSoftmax(int node)
{
    const Node& n = m_model.node(node);
    const Layout* in = layout(n.inputs[0]);
    int64_t axis = intAttribute(m_model.nodeProto(node), "axis", m_model.opsetVersion() >= 13 ? -1 : 1);
    if (axis < 0)
        axis += in->rank;
    const bool acrossChannels = m_model.opsetVersion() >= 13 ? axis == in->axis : axis <= in->axis;
    if (acrossChannels) {
        opaque(node, nodeText(node) + " normalizes across the channels");
        return;
    }
    m_layouts[n.outputs[0]] = *in;
}

} // namespace topiary::coupling
