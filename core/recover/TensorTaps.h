// Runs a model (the original, or a masked compressed one: apply() keeps node and tensor
// names and shapes) on the calibration images in batches and hands chosen intermediate
// tensors to a visitor, batch by batch, so memory stays one batch of activations whatever
// the number of images. The model is cut down to what computes those tensors
// (extractSubModel), which OpenCV then returns as outputs.
#pragma once

#include "core/base/Error.h"
#include "core/eval/OpenCvNet.h"
#include "core/recover/CalibrationImages.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace topiary {

class Model;

class TensorTaps {
public:
    // tensors[i] is handed out as tensors[i] of the visitor's vector (CV_32F, batch first).
    // original: the model whose index types the tensors (same names in `proto`).
    using Visit = std::function<Result<void>(int64_t firstImage, int count, const std::vector<cv::Mat>& tensors)>;

    static Result<TensorTaps> create(const Model& original, const onnx::ModelProto& proto,
        const std::string& inputName, const std::vector<std::string>& tensors);

    // Errors: OpenCV failures (naming the node when it does), the visitor's errors, a stop.
    Result<void> run(const CalibrationImages& images, int batchSize, const Visit& visit, std::stop_token stop = {});
    // One batch: images [first, first + count); a model with a fixed batch gets it padded.
    Result<std::vector<cv::Mat>> forward(const CalibrationImages& images, int64_t first, int count);
    // The batch size run() and callers should use for a requested size.
    int batchFor(int requested) const { return m_fixedBatch > 0 ? static_cast<int>(m_fixedBatch) : std::max(1, requested); }

private:
    static constexpr size_t kImage = static_cast<size_t>(-1); // the tensor is the image input itself

    TensorTaps(std::optional<OpenCvNet> net, std::string input, int64_t fixedBatch, std::vector<size_t> outputOf)
        : m_net(std::move(net)), m_input(std::move(input)), m_fixedBatch(fixedBatch), m_outputOf(std::move(outputOf))
    {
    }
    std::optional<OpenCvNet> m_net; // none when only the image is asked for
    std::string m_input;
    int64_t m_fixedBatch = -1; // the model's batch dim when it fixes one
    std::vector<size_t> m_outputOf; // per asked tensor: index among the net's outputs
};

} // namespace topiary
