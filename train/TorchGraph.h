// An ONNX graph run with libtorch operations, so it can be trained: float initializers
// become tensors (weights with gradients, BatchNorm running statistics as buffers), and
// each node becomes the torch call that computes what ONNX defines for it. Built from
// the canonicalized graph (OpenCvCanonicalizer), whose shape arithmetic is already
// folded to constants. This header includes torch: only the trainer's torch translation
// units include it (GraphRunner.h and Trainer.h are the plain faces of it).
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace topiary::train {

// One node ready to run: its op, inputs and outputs by tensor name, and its attributes.
struct TorchNode {
    std::string name;
    std::string opType;
    std::vector<std::string> inputs; // "" for an omitted optional input
    std::vector<std::string> outputs;
    const onnx::NodeProto* proto = nullptr;
};

using TensorMap = std::map<std::string, torch::Tensor, std::less<>>;

// Replaces a weight as the forward pass reads it (fake quantization); name = initializer.
using WeightTransform = std::function<torch::Tensor(const std::string& name, const torch::Tensor& weight)>;

class TorchGraph {
public:
    // Every op must be one the trainer runs; the error names the first that is not.
    // trainable: the float initializers that get gradients (BatchNorm running statistics
    // never do), named as in the model the user gave: preparing the graph turns Constant
    // nodes (scalars of the exporter's arithmetic) into initializers that are not weights.
    static Result<TorchGraph> build(const onnx::ModelProto& model, const std::set<std::string>& trainable);

    // Runs the graph. training: BatchNorm uses batch statistics and updates its running
    // statistics, Dropout drops. Errors (shape mismatches) name the node.
    Result<std::vector<torch::Tensor>> forward(const TensorMap& inputs, bool training) const;

    const std::vector<std::string>& inputNames() const { return m_inputs; }
    const std::vector<std::string>& outputNames() const { return m_outputs; }
    // Trainable float initializers (requires_grad), by name, in a stable order.
    const std::vector<std::string>& parameterNames() const { return m_parameterNames; }
    std::vector<torch::Tensor> parameters() const;
    // Every float constant the graph holds: parameters and buffers (running statistics).
    const TensorMap& tensors() const { return m_tensors; }
    TensorMap& tensors() { return m_tensors; }
    void setWeightTransform(WeightTransform transform) { m_transform = std::move(transform); }

private:
    std::shared_ptr<onnx::ModelProto> m_model; // the nodes' protos live here
    std::vector<TorchNode> m_nodes; // topological order
    std::vector<std::string> m_inputs;
    std::vector<std::string> m_outputs;
    TensorMap m_tensors; // float initializers and Constant outputs (float)
    TensorMap m_intConstants; // integer constants (shapes, axes, pads)
    std::vector<std::string> m_parameterNames;
    WeightTransform m_transform;
};

// Names of the model's initializers (what TorchGraph::build's trainable usually is).
std::set<std::string> initializerNames(const onnx::ModelProto& model);

// The op types TorchGraph runs, for messages and tests.
const std::vector<std::string>& supportedOps();

// Runs one node; `in` holds its inputs (undefined tensors for omitted ones). Defined in
// TorchOps.cpp.
struct OpContext {
    const TorchNode& node;
    std::vector<torch::Tensor> in;
    bool training = false;
    int64_t opset = 13;
};
std::vector<torch::Tensor> runOp(const OpContext& context);

} // namespace topiary::train
