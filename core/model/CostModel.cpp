#include "core/model/CostModel.h"

#include "core/model/Model.h"
#include "core/model/NodeAttributes.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace topiary {

namespace {

int64_t elems(const Model& model, const std::string& name)
{
    if (name.empty())
        return 0;
    const TensorInfo* t = model.tensor(name);
    if (!t)
        return 0;
    return t->numElements().value_or(0);
}

int64_t bytes(const Model& model, const std::string& name)
{
    if (name.empty())
        return 0;
    const TensorInfo* t = model.tensor(name);
    if (!t)
        return 0;
    return t->byteSize().value_or(0);
}

bool oneOf(std::string_view op, std::initializer_list<std::string_view> ops)
{
    return std::find(ops.begin(), ops.end(), op) != ops.end();
}

// One multiply-accumulate per output element.
bool isElementwise(std::string_view op)
{
    return oneOf(op, {"Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu", "Sigmoid",
                      "HardSigmoid", "HardSwish", "Tanh", "Clip", "Exp", "Log", "Sqrt", "Pow", "Erf", "Gelu",
                      "Softplus", "Softsign", "Mish", "Abs", "Neg", "Reciprocal", "Max", "Min", "Sum", "Mean",
                      "Softmax", "LogSoftmax", "BatchNormalization", "InstanceNormalization",
                      "LayerNormalization", "LpNormalization", "Resize", "Upsample", "Where", "ThresholdedRelu"});
}

} // namespace

CostModel::CostModel(const Model& model) : m_layers(findLayers(model))
{
    const auto& nodes = model.nodes();
    m_nodes.resize(nodes.size());
    m_layerNode.resize(m_layers.size());
    for (size_t l = 0; l < m_layers.size(); ++l) {
        m_nodes[static_cast<size_t>(m_layers[l].node)].layer = static_cast<int>(l);
        m_layerNode[l] = m_layers[l].node;
    }

    for (size_t i = 0; i < nodes.size(); ++i) {
        const Node& node = nodes[i];
        NodeCost& c = m_nodes[i];
        c.node = static_cast<int>(i);
        if (node.opType == "Constant")
            continue;
        for (const auto& out : node.outputs) {
            c.outputElements += elems(model, out);
            c.outputBytes += bytes(model, out);
        }
        c.trafficBytes = c.outputBytes;
        for (const auto& in : node.inputs)
            c.trafficBytes += bytes(model, in);

        static const std::string none;
        const std::string& out0 = node.outputs.empty() ? none : node.outputs[0];
        const std::string& in0 = node.inputs.empty() ? none : node.inputs[0];
        const int64_t outElems = elems(model, out0);
        if (c.layer >= 0) {
            const Layer& layer = m_layers[static_cast<size_t>(c.layer)];
            c.params = product(layer.weightShape) + elems(model, layer.bias);
            c.weightBytes = bytes(model, layer.weight) + bytes(model, layer.bias);
            switch (layer.kind) {
            case LayerKind::Conv:
                c.linearMacs = outElems * (layer.inChannels / layer.group) * product(layer.kernel);
                break;
            case LayerKind::ConvTranspose:
                c.linearMacs = elems(model, in0) * (layer.outChannels / layer.group) * product(layer.kernel);
                break;
            case LayerKind::Gemm:
            case LayerKind::MatMul:
                c.linearMacs = outElems * layer.inChannels;
                break;
            }
            continue;
        }
        const auto& op = node.opType;
        if (op == "BatchNormalization" && node.inputs.size() >= 3) {
            c.params = elems(model, node.inputs[1]) + elems(model, node.inputs[2]);
            c.weightBytes = bytes(model, node.inputs[1]) + bytes(model, node.inputs[2]);
        }
        if (op == "MatMul" || op == "Gemm") {
            // Between activations (attention): M*K*N over every batch.
            const TensorInfo* a = model.tensor(in0);
            int64_t k = 0;
            if (a && a->hasShape && !a->shape.empty())
                k = std::max<int64_t>(a->shape.back(), 0);
            if (op == "Gemm" && a && a->shape.size() == 2) {
                for (const auto& at : model.nodeProto(c.node).attribute())
                    if (at.name() == "transA" && at.i() != 0)
                        k = std::max<int64_t>(a->shape[0], 0);
            }
            c.otherMacs = outElems * k;
        } else if (oneOf(op, {"MaxPool", "AveragePool", "LpPool"})) {
            c.otherMacs = outElems * product(intsAttribute(model.nodeProto(c.node), "kernel_shape").value_or(std::vector<int64_t> {}));
        } else if (oneOf(op, {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool", "ReduceMean", "ReduceSum",
                              "ReduceMax", "ReduceMin", "ReduceL2", "ReduceL1", "ReduceProd"})) {
            c.otherMacs = elems(model, in0);
        } else if (isElementwise(op)) {
            c.otherMacs = outElems;
        }
    }

    // Totals, and the peak of a sequential execution: a tensor lives from the step that
    // writes it to the last step that reads it (graph inputs from the start, outputs to the end).
    const int steps = static_cast<int>(nodes.size());
    std::vector<int64_t> delta(static_cast<size_t>(steps) + 2, 0);
    auto addLive = [&](const std::string& name, int birth) {
        int death = birth;
        for (int consumer : model.consumers(name))
            death = std::max(death, consumer);
        if (model.isGraphOutput(name))
            death = steps - 1;
        const int64_t b = bytes(model, name);
        delta[static_cast<size_t>(std::max(birth, 0))] += b;
        delta[static_cast<size_t>(std::max(death, 0)) + 1] -= b;
    };
    for (const auto& in : model.inputs())
        addLive(in, 0);
    for (int i = 0; i < steps; ++i) {
        const Node& node = nodes[static_cast<size_t>(i)];
        if (node.opType == "Constant")
            continue;
        for (const auto& out : node.outputs)
            if (!out.empty())
                addLive(out, i);
    }
    int64_t live = 0;
    for (int i = 0; i < steps; ++i) {
        live += delta[static_cast<size_t>(i)];
        m_totals.peakActivationBytes = std::max(m_totals.peakActivationBytes, live);
    }

    for (const NodeCost& c : m_nodes) {
        m_totals.params += c.params;
        m_totals.linearMacs += c.linearMacs;
        m_totals.otherMacs += c.otherMacs;
        m_totals.weightBytes += c.weightBytes;
        m_totals.activationBytes += c.outputBytes;
        m_totals.trafficBytes += c.trafficBytes;
    }
    for (const auto& init : model.graph().initializer())
        m_totals.initializerBytes += bytes(model, init.name());
}

const NodeCost& CostModel::forLayer(int layer) const
{
    return m_nodes[static_cast<size_t>(m_layerNode[static_cast<size_t>(layer)])];
}

} // namespace topiary
