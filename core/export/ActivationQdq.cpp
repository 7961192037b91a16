#include "core/export/ActivationQdq.h"

#include "core/compress/ActivationRange.h"
#include "core/export/ExportSize.h"
#include "core/model/GraphEdit.h"
#include "core/model/NodeAttributes.h"

#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace topiary {

namespace {

onnx::TensorProto scalarCode(const std::string& name, int32_t type, int32_t value)
{
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(type);
    t.set_raw_data(std::string(1, static_cast<char>(static_cast<uint8_t>(value))));
    return t;
}

onnx::TensorProto int32Tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int32_t>& values)
{
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(onnx::TensorProto_DataType_INT32);
    for (int64_t d : dims)
        t.add_dims(d);
    t.set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int32_t)));
    return t;
}

onnx::NodeProto quantizeNode(const std::string& name, const std::string& input, const std::string& scale,
    const std::string& zeroPoint, const std::string& output)
{
    onnx::NodeProto q;
    q.set_op_type("QuantizeLinear");
    q.set_name(name);
    q.add_input(input);
    q.add_input(scale);
    q.add_input(zeroPoint);
    q.add_output(output);
    return q;
}

std::optional<float> constantScalar(const onnx::GraphProto& graph, const std::string& name)
{
    if (name.empty())
        return std::nullopt;
    if (const auto* t = findInitializer(graph, name))
        if (auto v = readFloats(*t); v && v->size() == 1)
            return (*v)[0];
    return std::nullopt;
}

// A Relu always; a Clip whose bounds are [0, c] with c >= top.
bool clampedByCodes(const onnx::GraphProto& graph, const onnx::NodeProto& act, float top)
{
    if (act.op_type() == "Relu")
        return true;
    if (act.op_type() != "Clip")
        return false;
    std::optional<float> lo, hi;
    if (act.input_size() > 1) {
        lo = constantScalar(graph, act.input(1));
        hi = act.input_size() > 2 ? constantScalar(graph, act.input(2)) : std::nullopt;
    } else {
        lo = floatAttribute(act, "min", -std::numeric_limits<float>::infinity());
        hi = floatAttribute(act, "max", std::numeric_limits<float>::infinity());
    }
    return lo && *lo == 0.0f && (!hi || *hi >= top);
}

void removeInitializer(onnx::GraphProto& graph, const std::string& name)
{
    auto* inits = graph.mutable_initializer();
    for (int i = 0; i < inits->size(); ++i)
        if (inits->Get(i).name() == name) {
            inits->DeleteSubrange(i, 1);
            break;
        }
    auto* inputs = graph.mutable_input();
    for (int i = 0; i < inputs->size(); ++i)
        if (inputs->Get(i).name() == name) {
            inputs->DeleteSubrange(i, 1);
            break;
        }
}

const onnx::NodeProto* producerOf(const onnx::GraphProto& graph, const std::string& tensor)
{
    for (const auto& n : graph.node())
        for (const auto& o : n.output())
            if (o == tensor)
                return &n;
    return nullptr;
}

// The scale initializer of a DequantizeLinear's output, and its values.
std::optional<std::vector<float>> dequantizeScale(const onnx::GraphProto& graph, const std::string& tensor)
{
    const auto* dq = producerOf(graph, tensor);
    if (!dq || dq->op_type() != "DequantizeLinear" || dq->input_size() < 2)
        return std::nullopt;
    const auto* s = findInitializer(graph, dq->input(1));
    if (!s)
        return std::nullopt;
    return readFloats(*s);
}

// The biases of Conv/Gemm nodes whose input is dequantized and whose weight is stored as
// float values on a quantization grid (scales in `weightScales`): rounded to the grid
// s_x · s_w that the int8 export's int32 biases use, each a fresh initializer (biases may
// be shared), so the float-stored model computes what the int8 export runs.
int roundBiases(onnx::ModelProto& proto, const WeightScales& weightScales)
{
    auto& graph = *proto.mutable_graph();
    NameAllocator names(graph);
    int rounded = 0;
    for (auto& n : *graph.mutable_node()) {
        if ((n.op_type() != "Conv" && n.op_type() != "Gemm") || n.input_size() < 3 || n.input(2).empty())
            continue;
        const auto sx = dequantizeScale(graph, n.input(0));
        const auto sw = weightScales.find(n.input(1));
        const auto* b = findInitializer(graph, n.input(2));
        if (!sx || sx->size() != 1 || sw == weightScales.end() || !b || b->data_type() != onnx::TensorProto_DataType_FLOAT
            || b->dims_size() != 1)
            continue;
        if (n.op_type() == "Gemm" && intAttribute(n, "transB", 0) == 0 && sw->second.size() > 1)
            continue;
        auto values = readFloats(*b);
        const bool perChannel = sw->second.size() > 1;
        if (!values || (perChannel && sw->second.size() != values->size()))
            continue;
        for (size_t i = 0; i < values->size(); ++i) {
            const float scale = (*sx)[0] * sw->second[perChannel ? i : 0];
            const double q = scale > 0.0f ? std::nearbyint((*values)[i] / scale) : 0.0;
            if (std::fabs(q) < 2147483647.0)
                (*values)[i] = static_cast<float>(static_cast<int32_t>(q)) * scale;
        }
        const std::string name = names.fresh(n.input(2) + "_rounded");
        addInitializer(proto, makeFloatTensor(name, { static_cast<int64_t>(values->size()) }, *values));
        n.set_input(2, name);
        ++rounded;
    }
    return rounded;
}

// Conv and Gemm biases as int32 codes on s_x · s_w (what ORT's QDQ selectors accept).
Result<int> quantizeBiases(onnx::ModelProto& proto)
{
    auto& graph = *proto.mutable_graph();
    NameAllocator names(graph);
    std::vector<std::pair<std::string, std::vector<float>>> biases; // bias -> per-channel scale
    std::set<std::string> seen;
    for (const auto& n : graph.node()) {
        if ((n.op_type() != "Conv" && n.op_type() != "Gemm") || n.input_size() < 3 || n.input(2).empty())
            continue;
        const auto sx = dequantizeScale(graph, n.input(0));
        const auto sw = dequantizeScale(graph, n.input(1));
        const auto* b = findInitializer(graph, n.input(2));
        if (!sx || sx->size() != 1 || !sw || !b || b->data_type() != onnx::TensorProto_DataType_FLOAT
            || b->dims_size() != 1 || !seen.insert(n.input(2)).second)
            continue;
        if (n.op_type() == "Gemm" && intAttribute(n, "transB", 0) == 0 && sw->size() > 1)
            continue; // per-channel scales along the other axis of a K x N weight
        std::vector<float> scale(sw->size());
        for (size_t c = 0; c < sw->size(); ++c)
            scale[c] = (*sx)[0] * (*sw)[c];
        biases.emplace_back(n.input(2), std::move(scale));
    }
    for (auto& [bias, scale] : biases) {
        const auto* b = findInitializer(graph, bias);
        auto values = readFloats(*b);
        if (!values)
            continue;
        const bool perChannel = scale.size() > 1;
        if (perChannel && scale.size() != values->size())
            continue;
        std::vector<int32_t> codes(values->size());
        bool fits = true;
        for (size_t i = 0; i < values->size(); ++i) {
            const float s = scale[perChannel ? i : 0];
            const double q = s > 0.0f ? std::nearbyint((*values)[i] / s) : 0.0;
            fits = fits && std::fabs(q) < 2147483647.0;
            codes[i] = static_cast<int32_t>(q);
        }
        if (!fits)
            continue;
        const std::vector<int64_t> dims { static_cast<int64_t>(values->size()) };
        const std::vector<int64_t> paramDims = perChannel ? dims : std::vector<int64_t> {};
        onnx::TensorProto q = int32Tensor(names.fresh(quantizedName(bias)), dims, codes);
        onnx::TensorProto s = makeFloatTensor(names.fresh(scaleName(bias)), paramDims, scale);
        onnx::TensorProto z = int32Tensor(names.fresh(zeroPointName(bias)), paramDims,
            std::vector<int32_t>(perChannel ? scale.size() : 1, 0));
        const std::string dqOut = names.fresh(bias + "_dequantized");
        onnx::NodeProto dq = dequantizeNode(names.fresh(dequantizeName(bias)), q.name(), s.name(), z.name(), dqOut,
            perChannel ? 0 : -1);
        renameUses(graph, bias, dqOut);
        removeInitializer(graph, bias);
        for (auto* t : { &q, &s, &z })
            addInitializer(proto, std::move(*t));
        auto* nodes = graph.mutable_node();
        *nodes->Add() = std::move(dq);
        for (int i = nodes->size() - 1; i > 0; --i)
            nodes->SwapElements(i, i - 1);
    }
    return static_cast<int>(biases.size());
}

} // namespace

Result<ActivationQdqReport> insertActivationQdq(onnx::ModelProto& proto, const ActivationPlacement& placement,
    const ActivationRanges& ranges, const WeightScales& weightScales)
{
    ActivationQdqReport report;
    if (placement.empty())
        return report;
    if (defaultOpset(proto) < 13)
        return fail("int8 activations: the QDQ format needs opset 13 or later; the model uses opset "
            + std::to_string(defaultOpset(proto)));
    auto& graph = *proto.mutable_graph();
    NameAllocator names(graph);
    std::map<std::string, std::vector<onnx::NodeProto>> after; // nodes to place after a tensor's producer
    std::set<std::string> dropped; // outputs of Relu/Clip nodes the codes replace
    std::vector<onnx::TensorProto> params;

    for (const QdqSite& site : placement.sites) {
        auto it = ranges.tensors.find(site.range);
        if (it == ranges.tensors.end())
            return fail("int8 activations: '" + site.range + "' has no calibrated range; calibrate first");
        const ActivationQuantParams p = activationParams(it->second, site.symmetric);
        const std::string scale = names.fresh(site.range + "_act_scale");
        const std::string zero = names.fresh(site.range + "_act_zero_point");
        params.push_back(makeFloatTensor(scale, {}, { p.scale }));
        params.push_back(scalarCode(zero, qdqCodeType(site.symmetric), p.zeroPoint));
        auto pair = [&](const std::string& tensor, const std::string& out) {
            const std::string codes = names.fresh(tensor + "_act_quantized");
            after[tensor].push_back(quantizeNode(names.fresh(tensor + "_QuantizeLinear"), tensor, scale, zero, codes));
            after[tensor].push_back(dequantizeNode(names.fresh(tensor + "_DequantizeLinear"), codes, scale, zero, out, -1));
            ++report.pairs;
        };
        auto pairRenaming = [&](const std::string& tensor) {
            const std::string out = names.fresh(tensor + "_dequantized");
            renameUses(graph, tensor, out);
            pair(tensor, out);
        };
        if (site.activation.empty()) {
            pairRenaming(site.tensor);
            continue;
        }
        const auto* act = producerOf(graph, site.activation);
        const float top = (static_cast<float>(p.qmax) - static_cast<float>(p.zeroPoint)) * p.scale;
        if (act && !site.symmetric && p.zeroPoint == 0 && clampedByCodes(graph, *act, top)) {
            dropped.insert(site.activation);
            pair(site.tensor, site.activation);
            ++report.droppedActivations;
        } else {
            // The activation stays between two pairs of the same parameters (it maps codes to codes).
            pairRenaming(site.tensor);
            pairRenaming(site.activation);
        }
    }

    google::protobuf::RepeatedPtrField<onnx::NodeProto> old;
    old.Swap(graph.mutable_node());
    auto emitAfter = [&](const std::string& tensor) {
        if (auto it = after.find(tensor); it != after.end()) {
            for (auto& n : it->second)
                *graph.add_node() = std::move(n);
            after.erase(it);
        }
    };
    for (const auto& in : graph.input())
        emitAfter(in.name());
    for (auto& node : old) {
        if (node.output_size() == 1 && dropped.contains(node.output(0)))
            continue;
        std::vector<std::string> outputs(node.output().begin(), node.output().end());
        *graph.add_node() = std::move(node);
        for (const auto& o : outputs)
            emitAfter(o);
    }
    if (!after.empty())
        return fail("int8 activations: '" + after.begin()->first + "' is not computed by the graph");
    for (auto& t : params)
        addInitializer(proto, std::move(t));
    auto biases = quantizeBiases(proto);
    if (!biases)
        return std::unexpected(biases.error());
    report.int32Biases = *biases;
    report.roundedBiases = roundBiases(proto, weightScales);
    return report;
}

} // namespace topiary
