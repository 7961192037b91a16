#include "core/model/Layer.h"

#include "core/model/Model.h"
#include "core/model/NodeAttributes.h"

namespace topiary {

namespace {

// Weight constant of a node input, resolved through Identity; needs float data of the given rank range.
const Constant* floatWeight(const Model& model, const Node& node, size_t input, size_t minRank, size_t maxRank,
                            std::string& resolvedName)
{
    if (node.inputs.size() <= input || node.inputs[input].empty())
        return nullptr;
    resolvedName = model.resolveConstantName(node.inputs[input]);
    const Constant* c = resolvedName.empty() ? nullptr : model.constant(resolvedName);
    if (!c || c->floats.empty() || c->info.shape.size() < minRank || c->info.shape.size() > maxRank)
        return nullptr;
    return c;
}

std::string biasOf(const Model& model, const Node& node, size_t input)
{
    if (node.inputs.size() <= input || node.inputs[input].empty())
        return {};
    return model.resolveConstantName(node.inputs[input]);
}

} // namespace

const char* layerKindName(LayerKind kind)
{
    switch (kind) {
    case LayerKind::Conv: return "Conv";
    case LayerKind::ConvTranspose: return "ConvTranspose";
    case LayerKind::Gemm: return "Gemm";
    case LayerKind::MatMul: return "MatMul";
    }
    return "?";
}

std::vector<Layer> findLayers(const Model& model)
{
    std::vector<Layer> layers;
    const auto& nodes = model.nodes();
    for (int i = 0; i < static_cast<int>(nodes.size()); ++i) {
        const Node& node = nodes[static_cast<size_t>(i)];
        const auto& proto = model.nodeProto(i);
        if (!proto.domain().empty() && proto.domain() != "ai.onnx")
            continue;
        Layer layer;
        layer.node = i;
        layer.name = node.name;
        std::string weightName;
        const Constant* w = nullptr;
        if (node.opType == "Conv" || node.opType == "ConvTranspose") {
            w = floatWeight(model, node, 1, 3, 5, weightName);
            if (!w)
                continue;
            const auto& s = w->info.shape;
            layer.group = std::max<int64_t>(1, intAttribute(proto, "group", 1));
            if (node.opType == "Conv") {
                layer.kind = LayerKind::Conv;
                layer.outChannels = s[0];
                layer.inChannels = s[1] * layer.group;
            } else {
                layer.kind = LayerKind::ConvTranspose;
                layer.inChannels = s[0];
                layer.outChannels = s[1] * layer.group;
            }
            layer.kernel.assign(s.begin() + 2, s.end());
            layer.bias = biasOf(model, node, 2);
        } else if (node.opType == "Gemm") {
            if (intAttribute(proto, "transA", 0) != 0)
                continue;
            w = floatWeight(model, node, 1, 2, 2, weightName);
            if (!w)
                continue;
            layer.kind = LayerKind::Gemm;
            const bool transB = intAttribute(proto, "transB", 0) != 0;
            layer.weightTransposed = !transB;
            layer.outChannels = transB ? w->info.shape[0] : w->info.shape[1];
            layer.inChannels = transB ? w->info.shape[1] : w->info.shape[0];
            layer.bias = biasOf(model, node, 2);
        } else if (node.opType == "MatMul") {
            w = floatWeight(model, node, 1, 2, 2, weightName);
            if (!w)
                continue;
            layer.kind = LayerKind::MatMul;
            layer.weightTransposed = true;
            layer.inChannels = w->info.shape[0];
            layer.outChannels = w->info.shape[1];
        } else {
            continue;
        }
        layer.weight = weightName;
        layer.weightShape = w->info.shape;
        layer.output = node.outputs.empty() ? std::string() : node.outputs[0];

        // The BatchNormalization that alone consumes this layer's output belongs to it.
        const auto users = model.consumers(layer.output);
        if (users.size() == 1 && !model.isGraphOutput(layer.output)) {
            const Node& next = model.node(users[0]);
            if (next.opType == "BatchNormalization" && !next.inputs.empty() && next.inputs[0] == layer.output)
                layer.batchNorm = users[0];
        }
        layers.push_back(std::move(layer));
    }
    return layers;
}

} // namespace topiary
