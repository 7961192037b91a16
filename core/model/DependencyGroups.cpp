#include "core/model/DependencyGroups.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/model/TensorData.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>

namespace topiary {

namespace {

// ---- Union-find over channel sources, each placed at an offset in its root's index space.

class OffsetUnionFind {
public:
    int add(int64_t channels)
    {
        m_parent.push_back(static_cast<int>(m_parent.size()));
        m_offset.push_back(0);
        m_min.push_back(0);
        m_max.push_back(channels);
        m_size.push_back(1);
        m_conflict.emplace_back();
        return m_parent.back();
    }

    // Root of x and the position of x's channel 0 in the root's index space.
    std::pair<int, int64_t> find(int x)
    {
        int64_t pos = 0;
        int r = x;
        while (m_parent[idx(r)] != r) {
            pos += m_offset[idx(r)];
            r = m_parent[idx(r)];
        }
        // Path compression: point every node on the way straight at the root.
        int64_t remaining = pos;
        while (m_parent[idx(x)] != x) {
            const int next = m_parent[idx(x)];
            const int64_t own = m_offset[idx(x)];
            m_parent[idx(x)] = r;
            m_offset[idx(x)] = remaining;
            remaining -= own;
            x = next;
        }
        return { r, pos };
    }

    // Channel xc of x is channel yc of y. Returns false when that contradicts what is known.
    bool unite(int x, int64_t xc, int y, int64_t yc)
    {
        auto [rx, ox] = find(x);
        auto [ry, oy] = find(y);
        if (rx == ry)
            return ox + xc == oy + yc;
        attach(rx, ry, ox + xc - (oy + yc));
        return true;
    }

    // Puts y's whole group after x's (no channel is coupled, they just share one index space).
    void placeAfter(int x, int y)
    {
        const int rx = find(x).first;
        const int ry = find(y).first;
        if (rx != ry)
            attach(rx, ry, m_max[idx(rx)] - m_min[idx(ry)]);
    }

    void markConflict(int x, const std::string& why)
    {
        auto& c = m_conflict[idx(find(x).first)];
        if (c.empty())
            c = why;
    }
    const std::string& conflict(int root) const { return m_conflict[idx(root)]; }
    int64_t minPos(int root) const { return m_min[idx(root)]; }
    int64_t maxPos(int root) const { return m_max[idx(root)]; }

private:
    static size_t idx(int i) { return static_cast<size_t>(i); }

    // Attaches ry's tree under rx (or the other way round, smaller under larger) so that
    // position p in ry's space is p + d in rx's space.
    void attach(int rx, int ry, int64_t d)
    {
        if (m_size[idx(rx)] < m_size[idx(ry)]) {
            std::swap(rx, ry);
            d = -d;
        }
        m_parent[idx(ry)] = rx;
        m_offset[idx(ry)] = d;
        m_size[idx(rx)] += m_size[idx(ry)];
        m_min[idx(rx)] = std::min(m_min[idx(rx)], m_min[idx(ry)] + d);
        m_max[idx(rx)] = std::max(m_max[idx(rx)], m_max[idx(ry)] + d);
        if (m_conflict[idx(rx)].empty())
            m_conflict[idx(rx)] = m_conflict[idx(ry)];
    }

    std::vector<int> m_parent;
    std::vector<int64_t> m_offset; // position of channel 0 in the parent's space
    std::vector<int64_t> m_min, m_max; // extent of a root's space
    std::vector<int> m_size;
    std::vector<std::string> m_conflict;
};

// ---- How a tensor's channel axis is made of sources.

struct Segment {
    int source = -1;
    int64_t begin = 0; // first channel of the source
    int64_t count = 0;
};

struct Layout {
    std::vector<Segment> segments; // along the channel axis, in order
    int axis = 1;
    int rank = 0;
    int64_t stride = 1; // elements per channel along the axis (> 1 after Flatten)

    int64_t channels() const
    {
        int64_t n = 0;
        for (const auto& s : segments)
            n += s.count;
        return n;
    }
    int axisFromEnd() const { return rank - axis; }
};

struct RawMember {
    MemberRole role;
    int node;
    int layer;
    int source;
    int64_t sourceBegin;
    int64_t count;
    int64_t offset;
    int64_t stride;
    std::vector<PrunedAxis> axes;
};

struct Source {
    int layer = -1;
    std::vector<std::string> reasons;
};

bool isUnaryPassThrough(const std::string& op)
{
    static const std::set<std::string> ops = { "Relu", "LeakyRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish",
        "Tanh", "Elu", "Selu", "Celu", "Softplus", "Softsign", "Gelu", "Mish", "ThresholdedRelu", "Dropout", "Identity",
        "Abs", "Neg", "Exp", "Log", "Sqrt", "Reciprocal", "Erf", "Floor", "Ceil", "Round", "Sign", "Cast", "Sin", "Cos",
        "Not", "IsNaN", "IsInf", "Shrink",
        // spatial ops: the channel count survives (checked against the shapes)
        "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "LpPool", "GlobalLpPool", "Pad", "Resize",
        "Upsample" };
    return ops.contains(op);
}

bool isBinaryElementwise(const std::string& op)
{
    static const std::set<std::string> ops
        = { "Add", "Sub", "Mul", "Div", "Max", "Min", "Sum", "Mean", "Pow", "PRelu" };
    return ops.contains(op);
}

bool isReduce(const std::string& op)
{
    return op.starts_with("Reduce");
}

class Analysis {
public:
    Analysis(const Model& model, const std::vector<Layer>& layers)
        : m_model(model)
        , m_layers(layers)
    {
        for (size_t i = 0; i < layers.size(); ++i)
            m_layerOfNode[layers[i].node] = static_cast<int>(i);
    }

    std::vector<DependencyGroup> run()
    {
        for (const auto& input : m_model.inputs())
            addFixedLayout(input, "channels come from the graph input '" + input + "'");
        for (int i = 0; i < static_cast<int>(m_model.nodes().size()); ++i)
            visit(i);
        for (const auto& out : m_model.outputs())
            if (const Layout* l = layout(out))
                poison(*l, "its channels are a graph output ('" + out + "')");
        return collect();
    }

private:
    // ---- sources, layouts, members

    int newSource(int64_t channels, int layer)
    {
        const int id = m_uf.add(channels);
        m_sources.push_back(Source { layer, {} });
        return id;
    }

    void poisonSource(int source, const std::string& why)
    {
        auto& r = m_sources[static_cast<size_t>(source)].reasons;
        if (std::find(r.begin(), r.end(), why) == r.end())
            r.push_back(why);
    }

    void poison(const Layout& l, const std::string& why)
    {
        for (const auto& s : l.segments)
            poisonSource(s.source, why);
    }

    const Layout* layout(const std::string& tensor) const
    {
        if (tensor.empty())
            return nullptr;
        auto it = m_layouts.find(tensor);
        return it == m_layouts.end() ? nullptr : &it->second;
    }

    const std::vector<int64_t>* shapeOf(const std::string& tensor) const
    {
        const TensorInfo* t = m_model.tensor(tensor);
        return t && t->hasShape ? &t->shape : nullptr;
    }

    bool isConstant(const std::string& tensor) const
    {
        return !tensor.empty() && m_model.resolveConstant(tensor) != nullptr;
    }

    // A tensor whose channels cannot be pruned: a graph input, or the output of a node the
    // analysis cannot see through. Tracked so that depthwise convs reading it have a group.
    void addFixedLayout(const std::string& tensor, const std::string& why)
    {
        const TensorInfo* info = m_model.tensor(tensor);
        const auto* shape = shapeOf(tensor);
        if (!info || !isFloatType(info->elemType) || !shape || shape->size() < 2 || (*shape)[1] <= 0)
            return;
        const int s = newSource((*shape)[1], -1);
        poisonSource(s, why);
        m_layouts[tensor] = Layout { { Segment { s, 0, (*shape)[1] } }, 1, static_cast<int>(shape->size()), 1 };
    }

    void addMembers(MemberRole role, int node, int layer, const Layout& l, const std::vector<PrunedAxis>& axes)
    {
        int64_t offset = 0;
        for (const auto& seg : l.segments) {
            m_members.push_back(
                RawMember { role, node, layer, seg.source, seg.begin, seg.count, offset, l.stride, axes });
            offset += seg.count;
        }
    }

    std::string nodeText(int node) const
    {
        const Node& n = m_model.node(node);
        return n.opType + " '" + n.name + "'";
    }

    // Unknown territory: the inputs' channels cannot be pruned, the outputs are fixed.
    void opaque(int node, const std::string& why)
    {
        const Node& n = m_model.node(node);
        for (const auto& in : n.inputs)
            if (const Layout* l = layout(in))
                poison(*l, why);
        for (const auto& out : n.outputs)
            addFixedLayout(out, "channels come from " + nodeText(node) + ", which is not a layer");
    }

    // ---- the walk

    void visit(int i)
    {
        const Node& n = m_model.node(i);
        const auto& proto = m_model.nodeProto(i);
        if (auto it = m_layerOfNode.find(i); it != m_layerOfNode.end()) {
            visitLayer(i, it->second);
            return;
        }
        bool tracked = false;
        for (const auto& in : n.inputs)
            tracked = tracked || layout(in) != nullptr;
        if (!tracked)
            return; // nothing channel-carrying flows through here
        if (!proto.domain().empty() && proto.domain() != "ai.onnx") {
            opaque(i, nodeText(i) + " (domain " + proto.domain() + ") is not known to keep channels");
            return;
        }
        const std::string& op = n.opType;
        const bool joins = isBinaryElementwise(op) || op == "Concat";
        if (!joins && (n.inputs.empty() || !layout(n.inputs[0]))) {
            opaque(i, nodeText(i) + " takes channels as a parameter");
            return;
        }
        if (op == "BatchNormalization" || op == "InstanceNormalization")
            visitNorm(i);
        else if (isUnaryPassThrough(op))
            visitUnary(i);
        else if (isBinaryElementwise(op))
            visitElementwise(i);
        else if (op == "Concat")
            visitConcat(i);
        else if (op == "Flatten")
            visitFlatten(i);
        else if (op == "Reshape")
            visitReshape(i);
        else if (op == "Transpose")
            visitTranspose(i);
        else if (op == "Squeeze" || op == "Unsqueeze")
            visitSqueeze(i);
        else if (isReduce(op))
            visitReduce(i);
        else if (op == "Split" || op == "Slice")
            visitSplitOrSlice(i);
        else if (op == "Shape")
            visitShape(i);
        else if (op == "Softmax" || op == "LogSoftmax" || op == "Hardmax")
            visitSoftmax(i);
        else
            opaque(i, nodeText(i) + " is on the path and is not known to keep channels");
    }

    void visitLayer(int node, int li)
    {
        const Layer& layer = m_layers[static_cast<size_t>(li)];
        const Node& n = m_model.node(node);
        const Layout* in = n.inputs.empty() ? nullptr : layout(n.inputs[0]);
        const std::string where = "layer '" + layer.name + "'";
        const bool grouped = layer.group > 1 && !layer.isDepthwise();
        const bool depthwiseMultiplier = layer.isDepthwise() && layer.outChannels != layer.inChannels;

        if (in) {
            const int64_t width = in->channels() * in->stride;
            bool ok = width == layer.inChannels;
            if (layer.kind == LayerKind::Conv || layer.kind == LayerKind::ConvTranspose)
                ok = ok && in->axis == 1 && in->rank >= 3 && in->stride == 1;
            else
                ok = ok && in->axis == in->rank - 1;
            if (!ok) {
                poison(*in, "its channels reach " + where + " on an axis that is not its input-channel axis");
            } else if (layer.isDepthwise() && !depthwiseMultiplier) {
                visitDepthwise(node, li, *in);
                return;
            } else if (grouped || depthwiseMultiplier || (layer.kind == LayerKind::ConvTranspose && layer.group > 1)) {
                poison(*in,
                    where + " is a grouped convolution (group=" + std::to_string(layer.group)
                        + "): its filters are tied to input groups");
            } else {
                int axis = 1;
                if (layer.kind == LayerKind::ConvTranspose || layer.kind == LayerKind::MatMul)
                    axis = 0;
                else if (layer.kind == LayerKind::Gemm)
                    axis = layer.weightTransposed ? 0 : 1;
                addMembers(MemberRole::Consumer, node, li, *in, { PrunedAxis { layer.weight, axis } });
            }
        }

        // The layer's own output channels: a new source.
        const auto* shape = shapeOf(layer.output);
        int rank = shape ? static_cast<int>(shape->size()) : 0;
        if (rank == 0) {
            if (layer.kind == LayerKind::Conv || layer.kind == LayerKind::ConvTranspose)
                rank = static_cast<int>(layer.weightShape.size());
            else if (in)
                rank = in->rank;
            else
                rank = 2;
        }
        const int axis = (layer.kind == LayerKind::Conv || layer.kind == LayerKind::ConvTranspose) ? 1 : rank - 1;
        const int s = newSource(layer.outChannels, li);
        Layout out { { Segment { s, 0, layer.outChannels } }, axis, rank, 1 };
        m_layouts[layer.output] = out;

        std::vector<PrunedAxis> axes;
        switch (layer.kind) {
        case LayerKind::Conv:
            axes.push_back({ layer.weight, 0 });
            break;
        case LayerKind::ConvTranspose:
            axes.push_back({ layer.weight, 1 });
            break;
        case LayerKind::Gemm:
            axes.push_back({ layer.weight, layer.weightTransposed ? 1 : 0 });
            break;
        case LayerKind::MatMul:
            axes.push_back({ layer.weight, 1 });
            break;
        }
        if (!layer.bias.empty()) {
            const Constant* b = m_model.constant(layer.bias);
            if (b && !b->info.shape.empty() && b->info.shape.back() == layer.outChannels)
                axes.push_back({ layer.bias, static_cast<int>(b->info.shape.size()) - 1 });
            else if (b && b->info.numElements().value_or(0) > 1)
                poisonSource(s, where + " has a bias that does not run along its output channels");
        }
        addMembers(MemberRole::Producer, node, li, out, axes);
        if (grouped || depthwiseMultiplier)
            poisonSource(s,
                where + " is a grouped convolution (group=" + std::to_string(layer.group)
                    + "): its filters are tied to input groups");
    }

    // Channel i in, filter i, channel i out: the input's groups pass straight through. A
    // depthwise conv over several sources (after a Concat) puts them in one index space so
    // that the conv belongs to a single group.
    void visitDepthwise(int node, int li, const Layout& in)
    {
        const Layer& layer = m_layers[static_cast<size_t>(li)];
        for (size_t k = 1; k < in.segments.size(); ++k)
            m_uf.placeAfter(in.segments[0].source, in.segments[k].source);
        std::vector<PrunedAxis> axes { { layer.weight, 0 } };
        if (!layer.bias.empty())
            axes.push_back({ layer.bias, 0 });
        addMembers(MemberRole::Depthwise, node, li, in, axes);
        Layout out = in;
        if (const auto* shape = shapeOf(layer.output))
            out.rank = static_cast<int>(shape->size());
        m_layouts[layer.output] = out;
    }

    void visitNorm(int node)
    {
        const Node& n = m_model.node(node);
        const Layout* in = layout(n.inputs[0]);
        if (!in) {
            opaque(node, nodeText(node) + " normalizes untracked channels");
            return;
        }
        if (in->axis != 1) {
            opaque(node, nodeText(node) + " normalizes along an axis that is not the channel axis");
            return;
        }
        std::vector<PrunedAxis> axes;
        const size_t params = n.opType == "BatchNormalization" ? 5 : 3;
        for (size_t k = 1; k < params && k < n.inputs.size(); ++k) {
            const std::string name = m_model.resolveConstantName(n.inputs[k]);
            if (name.empty()) {
                opaque(node, nodeText(node) + " has a parameter that is not a constant");
                return;
            }
            axes.push_back({ name, 0 });
        }
        addMembers(MemberRole::Norm, node, -1, *in, axes);
        m_layouts[n.outputs[0]] = *in;
    }

    // The channel count must survive; everything else may change (pooling, Pad, Resize).
    bool channelsKept(const Layout& in, const std::string& outTensor) const
    {
        const auto* shape = shapeOf(outTensor);
        if (!shape || static_cast<int>(shape->size()) != in.rank)
            return false;
        const int64_t c = (*shape)[static_cast<size_t>(in.axis)];
        return c == in.channels() * in.stride;
    }

    void visitUnary(int node)
    {
        const Node& n = m_model.node(node);
        const Layout* in = layout(n.inputs[0]);
        if (!in) {
            opaque(node, nodeText(node) + " reads untracked data");
            return;
        }
        for (size_t k = 1; k < n.inputs.size(); ++k)
            if (layout(n.inputs[k])) {
                opaque(node, nodeText(node) + " takes channels as a parameter");
                return;
            }
        const bool spatial = n.opType.find("Pool") != std::string::npos || n.opType == "Pad" || n.opType == "Resize"
            || n.opType == "Upsample";
        if (spatial && !channelsKept(*in, n.outputs[0])) {
            opaque(node, nodeText(node) + " changes the channel count");
            return;
        }
        m_layouts[n.outputs[0]] = *in;
    }

    void visitElementwise(int node)
    {
        const Node& n = m_model.node(node);
        const auto* outShape = shapeOf(n.outputs[0]);
        const Layout* first = nullptr;
        for (const auto& in : n.inputs)
            if (const Layout* l = layout(in); l && l->channels() > 1 && (!first || l->rank > first->rank))
                first = l;
        if (!first) {
            for (const auto& in : n.inputs)
                if (const Layout* l = layout(in))
                    first = l;
        }
        Layout out = *first;
        if (outShape) {
            out.rank = static_cast<int>(outShape->size());
            out.axis = out.rank - first->axisFromEnd();
        }
        const int64_t width = first->channels() * first->stride;
        std::vector<std::pair<std::string, int>> constants;

        for (const auto& name : n.inputs) {
            if (name.empty())
                continue;
            const Layout* l = layout(name);
            if (l == first)
                continue;
            if (l) {
                if (l->channels() == 1 && l->stride == 1 && width > 1) {
                    poison(*l, nodeText(node) + " broadcasts it across channels");
                    continue;
                }
                if (l->axisFromEnd() != first->axisFromEnd() || l->stride != first->stride
                    || l->channels() != first->channels()) {
                    poison(*l, nodeText(node) + " combines tensors whose channels do not line up");
                    poison(*first, nodeText(node) + " combines tensors whose channels do not line up");
                    continue;
                }
                unify(node, *first, *l);
                continue;
            }
            if (const Constant* c = m_model.resolveConstant(name)) {
                const auto& cs = c->info.shape;
                const int caxis = static_cast<int>(cs.size()) - first->axisFromEnd();
                if (caxis < 0 || cs[static_cast<size_t>(caxis)] == 1)
                    continue; // the same value for every channel
                if (cs[static_cast<size_t>(caxis)] == width && static_cast<int>(cs.size()) <= out.rank) {
                    constants.emplace_back(m_model.resolveConstantName(name), caxis);
                    continue;
                }
                opaque(node, nodeText(node) + " has a constant operand that does not run along the channels");
                return;
            }
            opaque(node, nodeText(node) + " combines channels with untracked data");
            return;
        }
        for (const auto& [name, axis] : constants)
            addMembers(MemberRole::Elementwise, node, -1, *first, { PrunedAxis { name, axis } });
        m_layouts[n.outputs[0]] = out;
    }

    // Channel t of a is channel t of b, for every t.
    void unify(int node, const Layout& a, const Layout& b)
    {
        size_t ia = 0, ib = 0;
        int64_t pa = 0, pb = 0;
        while (ia < a.segments.size() && ib < b.segments.size()) {
            const Segment& sa = a.segments[ia];
            const Segment& sb = b.segments[ib];
            const int64_t take = std::min(sa.count - pa, sb.count - pb);
            if (!m_uf.unite(sa.source, sa.begin + pa, sb.source, sb.begin + pb))
                m_uf.markConflict(sa.source, nodeText(node) + " couples channels in two contradicting ways");
            pa += take;
            pb += take;
            if (pa == sa.count)
                ++ia, pa = 0;
            if (pb == sb.count)
                ++ib, pb = 0;
        }
    }

    void visitConcat(int node)
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

    void visitFlatten(int node)
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

    void visitReshape(int node)
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

    void visitTranspose(int node)
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

    std::optional<std::vector<int64_t>> axesOf(int node, size_t inputIndex) const
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

    void visitSqueeze(int node)
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

    void visitReduce(int node)
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

    void visitSplitOrSlice(int node)
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
    void visitShape(int node)
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

    void visitSoftmax(int node)
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

    // ---- results

    std::vector<DependencyGroup> collect()
    {
        std::map<int, size_t> groupOfRoot;
        std::vector<DependencyGroup> groups;
        std::vector<int> roots;
        // Groups exist where a layer produces (or passes on) channels.
        for (const auto& m : m_members) {
            if (m.role != MemberRole::Producer && m.role != MemberRole::Depthwise)
                continue;
            const int root = m_uf.find(m.source).first;
            if (!groupOfRoot.contains(root)) {
                groupOfRoot[root] = groups.size();
                groups.emplace_back();
                roots.push_back(root);
            }
        }
        for (const auto& m : m_members) {
            auto [root, pos] = m_uf.find(m.source);
            auto it = groupOfRoot.find(root);
            if (it == groupOfRoot.end())
                continue;
            GroupMember gm;
            gm.role = m.role;
            gm.node = m.node;
            gm.layer = m.layer;
            gm.groupBegin = pos + m.sourceBegin - m_uf.minPos(root);
            gm.count = m.count;
            gm.offset = m.offset;
            gm.stride = m.stride;
            gm.axes = m.axes;
            groups[it->second].members.push_back(std::move(gm));
        }
        for (const auto& [tensor, l] : m_layouts) {
            const int64_t total = l.channels();
            int64_t offset = 0;
            for (const auto& seg : l.segments) {
                auto [root, pos] = m_uf.find(seg.source);
                if (auto it = groupOfRoot.find(root); it != groupOfRoot.end())
                    groups[it->second].tensors.push_back(
                        GroupTensor { tensor, pos + seg.begin - m_uf.minPos(root), seg.count, offset, total });
                offset += seg.count;
            }
        }
        for (auto& group : groups)
            std::sort(group.tensors.begin(), group.tensors.end(), [](const auto& a, const auto& b) {
                return a.tensor != b.tensor ? a.tensor < b.tensor : a.offset < b.offset;
            });
        std::vector<std::vector<std::string>> reasons(groups.size());
        for (size_t s = 0; s < m_sources.size(); ++s) {
            auto it = groupOfRoot.find(m_uf.find(static_cast<int>(s)).first);
            if (it == groupOfRoot.end())
                continue;
            for (const auto& r : m_sources[s].reasons)
                if (std::find(reasons[it->second].begin(), reasons[it->second].end(), r) == reasons[it->second].end())
                    reasons[it->second].push_back(r);
        }
        for (size_t g = 0; g < groups.size(); ++g) {
            auto& group = groups[g];
            group.channels = m_uf.maxPos(roots[g]) - m_uf.minPos(roots[g]);
            std::stable_sort(group.members.begin(), group.members.end(), [](const auto& a, const auto& b) {
                return a.node != b.node ? a.node < b.node : a.groupBegin < b.groupBegin;
            });
            std::set<int> producers, consumers, norms;
            for (const auto& m : group.members) {
                if (m.role == MemberRole::Producer || m.role == MemberRole::Depthwise)
                    producers.insert(m.layer);
                else if (m.role == MemberRole::Consumer)
                    consumers.insert(m.layer);
                else if (m.role == MemberRole::Norm)
                    norms.insert(m.node);
            }
            group.producers.assign(producers.begin(), producers.end());
            group.consumers.assign(consumers.begin(), consumers.end());
            group.norms.assign(norms.begin(), norms.end());
            if (!m_uf.conflict(roots[g]).empty())
                reasons[g].insert(reasons[g].begin(), m_uf.conflict(roots[g]));
            group.prunable = reasons[g].empty();
            for (size_t r = 0; r < reasons[g].size() && r < 3; ++r)
                group.reason += (r ? "; " : "") + reasons[g][r];
            if (reasons[g].size() > 3)
                group.reason += "; and " + std::to_string(reasons[g].size() - 3) + " more";
        }
        std::stable_sort(groups.begin(), groups.end(),
            [](const auto& a, const auto& b) { return a.producers.front() < b.producers.front(); });
        return groups;
    }

    const Model& m_model;
    const std::vector<Layer>& m_layers;
    std::unordered_map<int, int> m_layerOfNode;
    std::unordered_map<std::string, Layout> m_layouts;
    OffsetUnionFind m_uf;
    std::vector<Source> m_sources;
    std::vector<RawMember> m_members;
};

} // namespace

const char* memberRoleName(MemberRole role)
{
    switch (role) {
    case MemberRole::Producer:
        return "producer";
    case MemberRole::Depthwise:
        return "depthwise";
    case MemberRole::Consumer:
        return "consumer";
    case MemberRole::Norm:
        return "norm";
    case MemberRole::Elementwise:
        return "elementwise";
    case MemberRole::Reshape:
        return "reshape";
    }
    return "?";
}

std::vector<int64_t> GroupMember::prunedIndices(std::span<const int64_t> groupChannels) const
{
    std::vector<int64_t> out;
    for (int64_t k : groupChannels) {
        if (!covers(k))
            continue;
        const int64_t m = channelOf(k);
        for (int64_t j = 0; j < stride; ++j)
            out.push_back(m * stride + j);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<const GroupMember*> DependencyGroup::scoredMembers() const
{
    std::vector<const GroupMember*> out;
    for (const auto& m : members)
        if (m.role == MemberRole::Producer || m.role == MemberRole::Depthwise)
            out.push_back(&m);
    return out;
}

std::vector<DependencyGroup> findDependencyGroups(const Model& model, const std::vector<Layer>& layers)
{
    return Analysis(model, layers).run();
}

std::vector<int> producerGroupOfLayers(const std::vector<DependencyGroup>& groups, size_t layerCount)
{
    std::vector<int> out(layerCount, -1);
    for (size_t g = 0; g < groups.size(); ++g)
        for (int l : groups[g].producers)
            if (l >= 0 && static_cast<size_t>(l) < layerCount)
                out[static_cast<size_t>(l)] = static_cast<int>(g);
    return out;
}

int producerGroupOf(const std::vector<DependencyGroup>& groups, int layer)
{
    for (size_t g = 0; g < groups.size(); ++g)
        if (std::binary_search(groups[g].producers.begin(), groups[g].producers.end(), layer))
            return static_cast<int>(g);
    return -1;
}

std::vector<float> groupScores(const DependencyGroup& group, const std::vector<Layer>& layers,
    const std::map<std::string, std::vector<float>>& layerScores, ScoreReduction reduction)
{
    const auto n = static_cast<size_t>(group.channels);
    std::vector<double> acc(n, reduction == ScoreReduction::Max ? -std::numeric_limits<double>::infinity() : 0.0);
    std::vector<int> seen(n, 0);
    for (const GroupMember* m : group.scoredMembers()) {
        if (m->layer < 0 || static_cast<size_t>(m->layer) >= layers.size())
            continue;
        auto it = layerScores.find(layers[static_cast<size_t>(m->layer)].name);
        if (it == layerScores.end())
            continue;
        const auto& scores = it->second;
        for (int64_t k = m->groupBegin; k < m->groupBegin + m->count; ++k) {
            const int64_t c = m->channelOf(k);
            if (c < 0 || static_cast<size_t>(c) >= scores.size() || k < 0 || static_cast<size_t>(k) >= n)
                continue;
            const double v = scores[static_cast<size_t>(c)];
            auto& a = acc[static_cast<size_t>(k)];
            a = reduction == ScoreReduction::Max ? std::max(a, v) : a + v;
            ++seen[static_cast<size_t>(k)];
        }
    }
    std::vector<float> out(n, 0.0f);
    for (size_t k = 0; k < n; ++k) {
        if (seen[k] == 0)
            continue;
        out[k] = static_cast<float>(reduction == ScoreReduction::Mean ? acc[k] / seen[k] : acc[k]);
    }
    return out;
}

int64_t roundKeptChannels(int64_t total, int64_t kept, int64_t multiple)
{
    if (total <= 0)
        return 0;
    kept = std::clamp<int64_t>(kept, 1, total);
    if (multiple <= 1)
        return kept;
    const int64_t rounded = (kept + multiple - 1) / multiple * multiple;
    return std::min(rounded, total);
}

std::string describeGroup(const DependencyGroup& group, const std::vector<Layer>& layers)
{
    std::string s = std::to_string(group.channels) + " ch, producers:";
    int shown = 0;
    for (int l : group.producers) {
        if (shown++ == 4) {
            s += " +" + std::to_string(group.producers.size() - 4) + " more";
            break;
        }
        s += " " + layers[static_cast<size_t>(l)].name;
    }
    s += "; " + std::to_string(group.consumers.size()) + " consumers, " + std::to_string(group.norms.size())
        + " norms, " + std::to_string(group.members.size()) + " members";
    s += group.prunable ? "; prunable" : "; NOT prunable: " + group.reason;
    return s;
}

} // namespace topiary
