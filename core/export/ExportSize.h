// The bytes the weight storages write (WeightStorage: int8 QDQ and float16), as one
// model: the decoder nodes, the stored tensors' names and types, and what each rewrite
// adds to the file. The writer builds its nodes here and Stats predicts the exported
// file's size from the same functions, so the prediction cannot drift from the writer.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace topiary {

// Names of the stored tensors and the decoder node, from the weight's name (the writer
// makes them unique in the graph; the size model assumes they already are).
std::string quantizedName(const std::string& weight);   // "<w>_quantized"
std::string scaleName(const std::string& weight);       // "<w>_scale"
std::string zeroPointName(const std::string& weight);   // "<w>_zero_point"
std::string dequantizeName(const std::string& weight);  // "<w>_DequantizeLinear"
std::string halfName(const std::string& weight);        // "<w>_float16"
std::string castName(const std::string& weight);        // "<w>_Cast"

// int8 codes for symmetric quantization, uint8 for asymmetric (with a zero point).
int32_t qdqCodeType(bool symmetric);

// DequantizeLinear(quantized, scale, zeroPoint) -> output; channelAxis < 0 for one scale
// per tensor, else the axis attribute (per channel).
onnx::NodeProto dequantizeNode(const std::string& name, const std::string& quantized, const std::string& scale,
    const std::string& zeroPoint, const std::string& output, int64_t channelAxis);
// Cast(to=FLOAT): input -> output.
onnx::NodeProto castToFloatNode(const std::string& name, const std::string& input, const std::string& output);

// Bytes a tensor adds to GraphProto.initializer (tag, length, message) with rawBytes of data.
int64_t initializerEntryBytes(const std::string& name, const std::vector<int64_t>& dims, int32_t type, int64_t rawBytes);
// Bytes a node adds to GraphProto.node (tag, length, message).
int64_t nodeEntryBytes(const onnx::NodeProto& node);

// What writing a float32 weight of these dims as 8-bit codes + scale + zero point +
// DequantizeLinear adds to the file, minus the float32 tensor it replaces. channelAxis < 0
// (or out of range) for one scale per tensor.
int64_t qdqBytesDelta(const std::string& weight, const std::vector<int64_t>& dims, bool symmetric, int64_t channelAxis);
// What writing a float32 weight as FLOAT16 + Cast(to=FLOAT) changes in the file: half
// the data, a longer name and one small node.
int64_t halfBytesDelta(const std::string& weight, const std::vector<int64_t>& dims);

} // namespace topiary
