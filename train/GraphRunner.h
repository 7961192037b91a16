// The plain face of TorchGraph (no torch in this header): run an ONNX model with libtorch
// and take gradients, for tests and tools that compare the trainer's numbers with
// PyTorch's and OpenCV's.
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace topiary::train {

struct FloatTensor {
    std::vector<int64_t> shape;
    std::vector<float> values;
};

// The graph's output, the gradient of a loss w.r.t. every trainable initializer, and the
// BatchNorm running statistics after the pass (they move in training mode).
struct GradientResult {
    std::vector<FloatTensor> outputs;
    double loss = 0.0;
    std::map<std::string, FloatTensor> gradients;
    std::map<std::string, FloatTensor> tensorsAfter;
};

class GraphRunner {
public:
    // Prepares the model as the trainer does (prepareForTraining) and builds the graph.
    static Result<GraphRunner> create(const onnx::ModelProto& model);
    GraphRunner(GraphRunner&&) noexcept;
    GraphRunner& operator=(GraphRunner&&) noexcept;
    ~GraphRunner();

    // Inputs in the order of the graph's inputs.
    Result<std::vector<FloatTensor>> forward(const std::vector<FloatTensor>& inputs, bool training = false);
    // loss = sum(output[0] * lossWeights) (same shape as output 0), one forward and backward.
    Result<GradientResult> gradients(
        const std::vector<FloatTensor>& inputs, const FloatTensor& lossWeights, bool training);

private:
    struct Impl;
    explicit GraphRunner(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// The canonicalizer's passes that keep every weight as it is (constant, Identity and
// shape folding, dead code), so trained weights can be written back by name.
Result<onnx::ModelProto> prepareForTraining(const onnx::ModelProto& model);

} // namespace topiary::train
