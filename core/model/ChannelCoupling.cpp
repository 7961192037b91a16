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

namespace topiary {

namespace coupling {

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

ChannelCoupling::ChannelCoupling(const Model& model, const std::vector<Layer>& layers)
    : m_model(model)
    , m_layers(layers)
{
    for (size_t i = 0; i < layers.size(); ++i)
        m_layerOfNode[layers[i].node] = static_cast<int>(i);
}

std::vector<DependencyGroup> ChannelCoupling::run()
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

int ChannelCoupling::newSource(int64_t channels, int layer)
{
    const int id = m_uf.add(channels);
    m_sources.push_back(Source { layer, {} });
    return id;
}

void ChannelCoupling::poisonSource(int source, const std::string& why)
{
    auto& r = m_sources[static_cast<size_t>(source)].reasons;
    if (std::find(r.begin(), r.end(), why) == r.end())
        r.push_back(why);
}

void ChannelCoupling::poison(const Layout& l, const std::string& why)
{
    for (const auto& s : l.segments)
        poisonSource(s.source, why);
}

const Layout* ChannelCoupling::layout(const std::string& tensor) const
{
    if (tensor.empty())
        return nullptr;
    auto it = m_layouts.find(tensor);
    return it == m_layouts.end() ? nullptr : &it->second;
}

const std::vector<int64_t>* ChannelCoupling::shapeOf(const std::string& tensor) const
{
    const TensorInfo* t = m_model.tensor(tensor);
    return t && t->hasShape ? &t->shape : nullptr;
}

bool ChannelCoupling::isConstant(const std::string& tensor) const
{
    return !tensor.empty() && m_model.resolveConstant(tensor) != nullptr;
}

// A tensor whose channels cannot be pruned: a graph input, or the output of a node the
// analysis cannot see through. Tracked so that depthwise convs reading it have a group.
void ChannelCoupling::addFixedLayout(const std::string& tensor, const std::string& why)
{
    const TensorInfo* info = m_model.tensor(tensor);
    const auto* shape = shapeOf(tensor);
    if (!info || !isFloatType(info->elemType) || !shape || shape->size() < 2 || (*shape)[1] <= 0)
        return;
    const int s = newSource((*shape)[1], -1);
    poisonSource(s, why);
    m_layouts[tensor] = Layout { { Segment { s, 0, (*shape)[1] } }, 1, static_cast<int>(shape->size()), 1 };
}

void ChannelCoupling::addMembers(MemberRole role, int node, int layer, const Layout& l, const std::vector<PrunedAxis>& axes)
{
    int64_t offset = 0;
    for (const auto& seg : l.segments) {
        m_members.push_back(
            RawMember { role, node, layer, seg.source, seg.begin, seg.count, offset, l.stride, axes });
        offset += seg.count;
    }
}

std::string ChannelCoupling::nodeText(int node) const
{
    const Node& n = m_model.node(node);
    return n.opType + " '" + n.name + "'";
}

// Unknown territory: the inputs' channels cannot be pruned, the outputs are fixed.
void ChannelCoupling::opaque(int node, const std::string& why)
{
    const Node& n = m_model.node(node);
    for (const auto& in : n.inputs)
        if (const Layout* l = layout(in))
            poison(*l, why);
    for (const auto& out : n.outputs)
        addFixedLayout(out, "channels come from " + nodeText(node) + ", which is not a layer");
}

void ChannelCoupling::visit(int i)
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

void ChannelCoupling::visitLayer(int node, int li)
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
void ChannelCoupling::visitDepthwise(int node, int li, const Layout& in)
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

void ChannelCoupling::visitNorm(int node)
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
bool ChannelCoupling::channelsKept(const Layout& in, const std::string& outTensor) const
{
    const auto* shape = shapeOf(outTensor);
    if (!shape || static_cast<int>(shape->size()) != in.rank)
        return false;
    const int64_t c = (*shape)[static_cast<size_t>(in.axis)];
    return c == in.channels() * in.stride;
}

void ChannelCoupling::visitUnary(int node)
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

void ChannelCoupling::visitElementwise(int node)
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
void ChannelCoupling::unify(int node, const Layout& a, const Layout& b)
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

} // namespace coupling

std::vector<DependencyGroup> findDependencyGroups(const Model& model, const std::vector<Layer>& layers)
{
    return coupling::ChannelCoupling(model, layers).run();
}

} // namespace topiary
