#include "core/export/WeightStorage.h"

#include "core/compress/Quantizer.h"
#include "core/export/ExportSize.h"
#include "core/model/TensorData.h"
#include "core/model/GraphEdit.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace topiary {

namespace {

onnx::TensorProto makeByteTensor(const std::string& name, int32_t type, const std::vector<int64_t>& dims,
                                 const std::vector<int32_t>& values)
{
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(type);
    for (int64_t d : dims)
        t.add_dims(d);
    std::string raw(values.size(), '\0');
    for (size_t i = 0; i < values.size(); ++i)
        raw[i] = static_cast<char>(static_cast<uint8_t>(values[i]));  // two's complement for int8
    t.set_raw_data(std::move(raw));
    return t;
}

// The weight as a mutable tensor: an initializer, or the value of a Constant node (whose
// index is returned in constantNode).
onnx::TensorProto* locate(onnx::GraphProto& graph, const std::string& name, int& constantNode)
{
    constantNode = -1;
    if (auto* t = findInitializer(graph, name))
        return t;
    for (int i = 0; i < graph.node_size(); ++i) {
        auto& n = *graph.mutable_node(i);
        if (n.op_type() != "Constant" || n.output_size() != 1 || n.output(0) != name)
            continue;
        for (auto& a : *n.mutable_attribute())
            if (a.name() == "value" && a.has_t()) {
                constantNode = i;
                return a.mutable_t();
            }
    }
    return nullptr;
}

// locate(), for a float32 weight held inline: what the two storages can rewrite.
Result<onnx::TensorProto*> locateFloatWeight(onnx::GraphProto& graph, const std::string& tensor, const std::string& what,
                                             int& constantNode)
{
    onnx::TensorProto* weight = locate(graph, tensor, constantNode);
    if (!weight)
        return fail(what + ": the model has no constant tensor of that name");
    if (weight->data_type() != onnx::TensorProto_DataType_FLOAT)
        return fail(what + ": the tensor is not float32");
    if (hasExternalData(*weight))
        return fail(what + ": the tensor's data is external; inline it first");
    return weight;
}

// The float tensor goes away, as an initializer (and its graph input entry, which old IR
// versions require and which would now define the name twice) or as a Constant node;
// `added` become initializers and `decoder`, which writes the tensor's name, goes first.
void replaceWeight(onnx::ModelProto& proto, const std::string& tensor, int constantNode,
                   std::vector<onnx::TensorProto> added, onnx::NodeProto decoder)
{
    auto& graph = *proto.mutable_graph();
    if (constantNode >= 0) {
        graph.mutable_node()->DeleteSubrange(constantNode, 1);
    } else {
        auto* inits = graph.mutable_initializer();
        for (int i = 0; i < inits->size(); ++i)
            if (inits->Get(i).name() == tensor) {
                inits->DeleteSubrange(i, 1);
                break;
            }
        auto* inputs = graph.mutable_input();
        for (int i = 0; i < inputs->size(); ++i)
            if (inputs->Get(i).name() == tensor) {
                inputs->DeleteSubrange(i, 1);
                break;
            }
    }

    for (auto& t : added)
        addInitializer(proto, std::move(t));
    // First in the node list: it reads only initializers, so the order stays topological.
    auto* nodes = graph.mutable_node();
    *nodes->Add() = std::move(decoder);
    for (int i = nodes->size() - 1; i > 0; --i)
        nodes->SwapElements(i, i - 1);
}

} // namespace

Result<void> insertWeightDequantize(onnx::ModelProto& proto, const std::string& tensor, const QuantizedTensor& q)
{
    const std::string what = "int8 export of '" + tensor + "'";
    if (q.scheme != QuantScheme::Uniform)
        return fail(what + ": only uniform quantization can be written as QuantizeLinear/DequantizeLinear");
    if (q.bits != 8 && q.bits != 7) // 7: int8 codes in [-63, 63], ORT's reduce_range
        return fail(what + ": DequantizeLinear takes 8-bit (or 7-bit) codes, not " + std::to_string(q.bits) + "-bit");
    const bool symmetric = q.qmin < 0;
    if (symmetric ? (q.qmin < -128 || q.qmax > 127) : (q.qmin < 0 || q.qmax > 255))
        return fail(what + ": code range [" + std::to_string(q.qmin) + ", " + std::to_string(q.qmax) +
                    "] does not fit in " + (symmetric ? "int8" : "uint8"));

    const int64_t opset = defaultOpset(proto);
    if (opset < 10)
        return fail(what + ": DequantizeLinear needs opset 10 or later; the model uses opset " + std::to_string(opset));

    auto& graph = *proto.mutable_graph();
    int constantNode = -1;
    auto located = locateFloatWeight(graph, tensor, what, constantNode);
    if (!located)
        return std::unexpected(located.error());
    onnx::TensorProto* weight = *located;
    const std::vector<int64_t> dims(weight->dims().begin(), weight->dims().end());
    const int64_t count = elementCount(*weight);
    if (static_cast<int64_t>(q.codes.size()) != count)
        return fail(what + ": " + std::to_string(q.codes.size()) + " codes for a tensor of " + std::to_string(count) +
                    " elements");
    for (int32_t c : q.codes)
        if (c < q.qmin || c > q.qmax)
            return fail(what + ": code " + std::to_string(c) + " is outside [" + std::to_string(q.qmin) + ", " +
                        std::to_string(q.qmax) + "]");

    const bool perChannel = q.channelAxis >= 0;
    if (perChannel) {
        if (q.channelAxis >= static_cast<int64_t>(dims.size()))
            return fail(what + ": channel axis " + std::to_string(q.channelAxis) + " is out of range for a rank " +
                        std::to_string(dims.size()) + " tensor");
        if (opset < 13)
            return fail(what + ": per-channel DequantizeLinear (the axis attribute) needs opset 13 or later; the "
                               "model uses opset " + std::to_string(opset) + ". Quantize per tensor instead");
        const int64_t channels = dims[static_cast<size_t>(q.channelAxis)];
        if (static_cast<int64_t>(q.scales.size()) != channels || static_cast<int64_t>(q.zeroPoints.size()) != channels)
            return fail(what + ": " + std::to_string(q.scales.size()) + " scales and " +
                        std::to_string(q.zeroPoints.size()) + " zero points for " + std::to_string(channels) +
                        " channels");
    } else if (q.scales.size() != 1 || q.zeroPoints.size() != 1) {
        return fail(what + ": a per-tensor quantization needs one scale and one zero point");
    }
    for (size_t i = 0; i < q.scales.size(); ++i) {
        if (!(q.scales[i] > 0.0f) || !std::isfinite(q.scales[i]))
            return fail(what + ": scale " + std::to_string(q.scales[i]) + " is not a positive number");
        if (q.zeroPoints[i] < q.qmin || q.zeroPoints[i] > q.qmax)
            return fail(what + ": zero point " + std::to_string(q.zeroPoints[i]) + " is outside the code range");
    }

    NameAllocator names(graph);
    const int32_t codeType = qdqCodeType(symmetric);
    const std::vector<int64_t> paramDims =
        perChannel ? std::vector<int64_t>{static_cast<int64_t>(q.scales.size())} : std::vector<int64_t>{};
    std::vector<onnx::TensorProto> added;
    added.push_back(makeByteTensor(names.fresh(quantizedName(tensor)), codeType, dims, q.codes));
    added.push_back(makeFloatTensor(names.fresh(scaleName(tensor)), paramDims, q.scales));
    added.push_back(makeByteTensor(names.fresh(zeroPointName(tensor)), codeType, paramDims, q.zeroPoints));
    onnx::NodeProto dq = dequantizeNode(names.fresh(dequantizeName(tensor)), added[0].name(), added[1].name(),
        added[2].name(), tensor, perChannel ? q.channelAxis : -1);

    replaceWeight(proto, tensor, constantNode, std::move(added), std::move(dq));
    return {};
}

Result<void> insertWeightCast(onnx::ModelProto& proto, const std::string& tensor)
{
    const std::string what = "float16 export of '" + tensor + "'";
    auto& graph = *proto.mutable_graph();
    int constantNode = -1;
    auto located = locateFloatWeight(graph, tensor, what, constantNode);
    if (!located)
        return std::unexpected(located.error());
    onnx::TensorProto* weight = *located;
    auto values = readFloats(*weight);
    if (!values)
        return fail(what + ": its values cannot be read");
    if (defaultOpset(proto) < 6)
        return fail(what + ": Cast takes its target type as a number from opset 6; the model uses opset " +
                    std::to_string(defaultOpset(proto)));

    NameAllocator names(graph);
    onnx::TensorProto half;
    half.set_name(names.fresh(halfName(tensor)));
    half.set_data_type(onnx::TensorProto_DataType_FLOAT16);
    *half.mutable_dims() = weight->dims();
    half.set_raw_data(encodeFloats(*values, onnx::TensorProto_DataType_FLOAT16));
    onnx::NodeProto cast = castToFloatNode(names.fresh(castName(tensor)), half.name(), tensor);

    std::vector<onnx::TensorProto> added;
    added.push_back(std::move(half));
    replaceWeight(proto, tensor, constantNode, std::move(added), std::move(cast));
    return {};
}

} // namespace topiary
