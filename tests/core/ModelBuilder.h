// Builds small ONNX models in code, so each test owns a model named for what it
// exercises instead of depending on opaque binary fixtures.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace topiary::test {

class ModelBuilder {
public:
    explicit ModelBuilder(int64_t opset = 13);

    ModelBuilder& input(const std::string& name, std::vector<int64_t> dims,
                        int32_t elemType = onnx::TensorProto_DataType_FLOAT);
    // A graph input whose first dim is symbolic ("N").
    ModelBuilder& dynamicBatchInput(const std::string& name, std::vector<int64_t> dimsAfterBatch);
    ModelBuilder& output(const std::string& name, std::vector<int64_t> dims = {},
                         int32_t elemType = onnx::TensorProto_DataType_FLOAT);
    // Float initializer stored as raw_data; values default to a deterministic ramp.
    ModelBuilder& weight(const std::string& name, std::vector<int64_t> dims, std::vector<float> values = {});
    ModelBuilder& int64s(const std::string& name, std::vector<int64_t> dims, std::vector<int64_t> values);

    onnx::NodeProto& node(const std::string& op, std::vector<std::string> inputs,
                          std::vector<std::string> outputs, const std::string& name = "");

    // Conv (+ optional bias) with a generated weight; returns the node.
    onnx::NodeProto& conv(const std::string& name, const std::string& in, const std::string& out,
                          int64_t cin, int64_t cout, int64_t k, int64_t group = 1, bool bias = true,
                          int64_t stride = 1, int64_t pad = -1);
    onnx::NodeProto& batchNorm(const std::string& name, const std::string& in, const std::string& out,
                               int64_t channels);
    // What follows a conv in the fused-layer tests, after "conv": "" (nothing), "bn", "relu",
    // "bn_relu", "clip" / "bn_clip" (Clip to [0, 0.5]) or "leaky" (LeakyRelu 0.1), reading
    // `in` (a tensor of `channels` channels). Returns the last tensor written.
    std::string convTail(const std::string& after, const std::string& in, int64_t channels);

    onnx::ModelProto& proto() { return m_model; }
    const onnx::ModelProto& build() const { return m_model; }
    std::string bytes() const;

private:
    onnx::ModelProto m_model;
};

void setAttr(onnx::NodeProto& node, const std::string& name, int64_t value);
void setAttr(onnx::NodeProto& node, const std::string& name, float value);
void setAttr(onnx::NodeProto& node, const std::string& name, std::vector<int64_t> values);
void setAttr(onnx::NodeProto& node, const std::string& name, const onnx::TensorProto& value);

// A small CNN: conv-bn-relu, a residual block, a depthwise-separable block, GAP, Gemm.
onnx::ModelProto makeSmallCnn(bool dynamicBatch = false);
// conv-relu, a residual block, maxpool, conv-relu, GAP, flatten, Gemm: no BatchNorm, so
// every Conv can become a QLinearConv (8-bit activation tests).
onnx::ModelProto makeResidualNet();

} // namespace topiary::test
