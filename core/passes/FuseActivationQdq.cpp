#include "core/passes/FuseActivationQdq.h"

#include "core/model/GraphEdit.h"

#include <map>
#include <optional>
#include <set>
#include <string>

namespace topiary {

namespace {

struct QuantParams {
    float scale = 0.0f;
    int64_t zeroPoint = 0;
    int32_t codeType = onnx::TensorProto_DataType_UINT8; // QuantizeLinear's default

    bool operator==(const QuantParams&) const = default;
};

// Scalar scale and zero point of a QuantizeLinear or DequantizeLinear; nullopt when they
// are not scalar constants or the codes are not 8-bit.
std::optional<QuantParams> paramsOf(const onnx::GraphProto& graph, const onnx::NodeProto& node)
{
    if (node.input_size() < 2)
        return std::nullopt;
    const auto* s = findInitializer(graph, node.input(1));
    if (!s || elementCount(*s) != 1)
        return std::nullopt;
    auto scale = readFloats(*s);
    if (!scale || !((*scale)[0] > 0.0f))
        return std::nullopt;
    QuantParams p;
    p.scale = (*scale)[0];
    if (node.input_size() > 2 && !node.input(2).empty()) {
        const auto* z = findInitializer(graph, node.input(2));
        if (!z || elementCount(*z) != 1)
            return std::nullopt;
        auto zero = readInts(*z);
        if (!zero)
            return std::nullopt;
        p.zeroPoint = (*zero)[0];
        p.codeType = z->data_type();
    }
    if (p.codeType != onnx::TensorProto_DataType_UINT8 && p.codeType != onnx::TensorProto_DataType_INT8)
        return std::nullopt;
    return p;
}

void setAttribute(onnx::NodeProto& node, const char* name, int64_t value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(value);
}

void setAttribute(onnx::NodeProto& node, const char* name, float value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
    a->set_f(value);
}

} // namespace

void fuseActivationQdq(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    std::set<std::string> constants;
    for (const auto& t : graph.initializer())
        constants.insert(t.name());
    std::map<std::string, const onnx::NodeProto*> quantizers; // by output
    std::map<std::string, int> readers; // uses of each tensor as a node input
    for (const auto& n : graph.node()) {
        if (n.op_type() == "QuantizeLinear" && n.output_size() == 1 && !constants.contains(n.input(0)))
            quantizers.emplace(n.output(0), &n);
        for (const auto& in : n.input())
            ++readers[in];
    }
    std::map<std::string, int> dequantizedReaders; // uses of a Q output by a DequantizeLinear
    for (const auto& n : graph.node())
        if (n.op_type() == "DequantizeLinear" && quantizers.contains(n.input(0)))
            ++dequantizedReaders[n.input(0)];
    std::map<std::string, std::pair<std::string, QuantParams>> fused; // DQ output -> (x, params)
    for (const auto& n : graph.node()) {
        if (n.op_type() != "DequantizeLinear" || n.output_size() != 1)
            continue;
        auto q = quantizers.find(n.input(0));
        if (q == quantizers.end() || isGraphOutput(graph, q->first)
            || dequantizedReaders[q->first] != readers[q->first])
            continue;
        const auto qp = paramsOf(graph, *q->second);
        const auto dp = paramsOf(graph, n);
        if (!qp || !dp || !(*qp == *dp))
            continue;
        fused.emplace(n.output(0), std::make_pair(q->second->input(0), *qp));
    }
    if (fused.empty())
        return;
    // OpenCV 4.6 takes a node output named "...quantized" for a Caffe2-style int8 tensor and
    // looks for "...scale" constants beside it (handleQuantizedNode), which Topiary's own
    // "<tensor>_dequantized" names would trigger: such outputs are renamed.
    NameAllocator names(graph);
    std::vector<std::pair<std::string, std::string>> renamed;
    for (auto& [out, source] : std::map(fused)) {
        if (!out.ends_with("quantized") || isGraphOutput(graph, out))
            continue;
        const std::string safe = names.fresh(out.substr(0, out.size() - 9) + "quantized_fq");
        renamed.emplace_back(out, safe);
        fused.erase(out);
        fused.emplace(safe, source);
    }
    for (auto& n : *graph.mutable_node())
        for (const auto& [from, to] : renamed)
            if (n.op_type() == "DequantizeLinear" && n.output_size() == 1 && n.output(0) == from)
                n.set_output(0, to);
    for (const auto& [from, to] : renamed)
        renameUses(graph, from, to);
    for (auto& n : *graph.mutable_node()) {
        if (n.op_type() != "DequantizeLinear" || n.output_size() != 1)
            continue;
        auto it = fused.find(n.output(0));
        if (it == fused.end())
            continue;
        const auto& [x, p] = it->second;
        const bool int8 = p.codeType == onnx::TensorProto_DataType_INT8;
        onnx::NodeProto fq;
        fq.set_op_type(std::string(kFakeQuantizeOp));
        fq.set_name(n.name().empty() ? n.output(0) + "_fake_quantize" : n.name());
        fq.add_input(x);
        fq.add_output(n.output(0));
        setAttribute(fq, "fq_scale", p.scale);
        setAttribute(fq, "fq_zero_point", p.zeroPoint);
        setAttribute(fq, "fq_qmin", int64_t { int8 ? -128 : 0 });
        setAttribute(fq, "fq_qmax", int64_t { int8 ? 127 : 255 });
        n = std::move(fq);
    }
    // The QuantizeLinear nodes nobody reads now, and their parameters, go with
    // eliminateDeadCode, which runs after this pass.
}

} // namespace topiary
