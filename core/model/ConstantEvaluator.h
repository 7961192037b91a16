// Evaluates single nodes on small constant tensors: the integer shape arithmetic that
// exporters emit (Gather, Unsqueeze, Concat, Slice, Add, Div, Cast, ..., and Shape / Size
// once the dims are known). The one evaluator behind the loader's ShapeFolder and the
// FoldConstantNodes / FoldShapeComputations passes that fold it before OpenCV sees it.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace topiary {

// A constant tensor held by value: integer types in `ints`, floating types in `reals`.
struct ConstTensor {
    int32_t type = onnx::TensorProto_DataType_INT64;
    std::vector<int64_t> dims;
    std::vector<int64_t> ints;
    std::vector<double> reals;

    bool isInt() const;
    int64_t size() const;
};

// Tensors larger than this are never read or produced by the evaluator.
inline constexpr int64_t kMaxEvaluatedElements = 1 << 16;

// nullopt for unsupported types, external data and tensors above kMaxEvaluatedElements.
std::optional<ConstTensor> readConstant(const onnx::TensorProto& tensor);
onnx::TensorProto toTensorProto(const ConstTensor& value, const std::string& name);

// Whether evaluateConstantNode knows the op at all (a cheap check before reading inputs).
bool canEvaluate(const onnx::NodeProto& node);

// The outputs of `node` given its inputs (nullptr for an omitted optional input), or
// nullopt when the op, an attribute or an input is outside what the evaluator supports.
// Shape and Size are not handled here: they need the shape, not the value, of their input.
std::optional<std::vector<ConstTensor>> evaluateConstantNode(
    const onnx::NodeProto& node, const std::vector<const ConstTensor*>& inputs, int64_t opset);

// Shape (with opset 15's start and end) or Size of a tensor whose dims are all known:
// the two ops that read the shape, not the value, of their input. nullopt for other ops.
std::optional<ConstTensor> evaluateShapeNode(const onnx::NodeProto& node, const std::vector<int64_t>& dims);

} // namespace topiary
