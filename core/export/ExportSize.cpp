#include "core/export/ExportSize.h"

#include "core/model/NodeAttributes.h"

namespace topiary {

namespace {

int64_t varintBytes(uint64_t v)
{
    int64_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

void setIntAttribute(onnx::NodeProto& node, const std::string& name, int64_t value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(value);
}

} // namespace

std::string quantizedName(const std::string& weight) { return weight + "_quantized"; }
std::string scaleName(const std::string& weight) { return weight + "_scale"; }
std::string zeroPointName(const std::string& weight) { return weight + "_zero_point"; }
std::string dequantizeName(const std::string& weight) { return weight + "_DequantizeLinear"; }
std::string halfName(const std::string& weight) { return weight + "_float16"; }
std::string castName(const std::string& weight) { return weight + "_Cast"; }

int32_t qdqCodeType(bool symmetric)
{
    return symmetric ? onnx::TensorProto_DataType_INT8 : onnx::TensorProto_DataType_UINT8;
}

onnx::NodeProto dequantizeNode(const std::string& name, const std::string& quantized, const std::string& scale,
    const std::string& zeroPoint, const std::string& output, int64_t channelAxis)
{
    onnx::NodeProto dq;
    dq.set_op_type("DequantizeLinear");
    dq.set_name(name);
    dq.add_input(quantized);
    dq.add_input(scale);
    dq.add_input(zeroPoint);
    dq.add_output(output);
    if (channelAxis >= 0)
        setIntAttribute(dq, "axis", channelAxis);
    return dq;
}

onnx::NodeProto castToFloatNode(const std::string& name, const std::string& input, const std::string& output)
{
    onnx::NodeProto cast;
    cast.set_op_type("Cast");
    cast.set_name(name);
    cast.add_input(input);
    cast.add_output(output);
    setIntAttribute(cast, "to", onnx::TensorProto_DataType_FLOAT);
    return cast;
}

int64_t initializerEntryBytes(const std::string& name, const std::vector<int64_t>& dims, int32_t type, int64_t rawBytes)
{
    onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(type);
    for (int64_t d : dims)
        t.add_dims(d);
    const auto message
        = static_cast<int64_t>(t.ByteSizeLong()) + 1 + varintBytes(static_cast<uint64_t>(rawBytes)) + rawBytes;
    return 1 + varintBytes(static_cast<uint64_t>(message)) + message;
}

int64_t nodeEntryBytes(const onnx::NodeProto& node)
{
    const auto message = static_cast<int64_t>(node.ByteSizeLong());
    return 1 + varintBytes(static_cast<uint64_t>(message)) + message;
}

int64_t qdqBytesDelta(const std::string& weight, const std::vector<int64_t>& dims, bool symmetric, int64_t channelAxis)
{
    const int64_t n = product(dims);
    const bool perChannel = channelAxis >= 0 && static_cast<size_t>(channelAxis) < dims.size();
    const int64_t params = perChannel ? dims[static_cast<size_t>(channelAxis)] : 1;
    const std::vector<int64_t> paramDims = perChannel ? std::vector<int64_t> { params } : std::vector<int64_t> {};
    const int32_t code = qdqCodeType(symmetric);
    const onnx::NodeProto dq = dequantizeNode(dequantizeName(weight), quantizedName(weight), scaleName(weight),
        zeroPointName(weight), weight, perChannel ? channelAxis : -1);
    return initializerEntryBytes(quantizedName(weight), dims, code, n)
        + initializerEntryBytes(scaleName(weight), paramDims, onnx::TensorProto_DataType_FLOAT, 4 * params)
        + initializerEntryBytes(zeroPointName(weight), paramDims, code, params) + nodeEntryBytes(dq)
        - initializerEntryBytes(weight, dims, onnx::TensorProto_DataType_FLOAT, 4 * n);
}

int64_t halfBytesDelta(const std::string& weight, const std::vector<int64_t>& dims)
{
    const int64_t n = product(dims);
    const onnx::NodeProto cast = castToFloatNode(castName(weight), halfName(weight), weight);
    return initializerEntryBytes(halfName(weight), dims, onnx::TensorProto_DataType_FLOAT16, 2 * n)
        + nodeEntryBytes(cast) - initializerEntryBytes(weight, dims, onnx::TensorProto_DataType_FLOAT, 4 * n);
}

} // namespace topiary
