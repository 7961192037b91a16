// Runs an ONNX model with OpenCV dnn (backend OPENCV, target CPU), canonicalized for OpenCV
// 4.6 first; OpenCV exceptions become Errors naming the node when OpenCV says which.
// A net is not thread-safe: give each thread its own.
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>
#include <opencv2/core/mat.hpp>
#include <opencv2/dnn/dnn.hpp>

#include <string>
#include <utility>
#include <vector>

namespace topiary {

class OpenCvNet {
public:
    // Move-only: cv::dnn::Net copies share one network, which would hide the sharing.
    OpenCvNet(OpenCvNet&&) = default;
    OpenCvNet& operator=(OpenCvNet&&) = default;
    OpenCvNet(const OpenCvNet&) = delete;
    OpenCvNet& operator=(const OpenCvNet&) = delete;

    // Canonicalizes a copy of the model for OpenCV and imports it.
    static Result<OpenCvNet> create(const onnx::ModelProto& model);
    // Imports the model as is: for models already canonicalized, and to see what OpenCV
    // makes of a model without help.
    static Result<OpenCvNet> createWithoutCanonicalizing(const onnx::ModelProto& model);

    // Real graph inputs (initializers excluded) and graph outputs, in graph order.
    const std::vector<std::string>& inputNames() const { return m_inputNames; }
    const std::vector<std::string>& outputNames() const { return m_outputNames; }

    // Feeds every named input (CV_32F blobs in the model's layout, e.g. NCHW) and
    // returns the graph outputs in outputNames() order.
    Result<std::vector<cv::Mat>> forward(const std::vector<std::pair<std::string, cv::Mat>>& inputs);
    // For single-input models: one float blob (e.g. 1x3x224x224 NCHW) in, first output out.
    Result<cv::Mat> forward(const cv::Mat& input);

    // The imported net itself, for SwappableNet, which writes new weights into its layers.
    cv::dnn::Net& openCv() { return m_net; }

private:
    OpenCvNet() = default;
    static OpenCvNet describe(const onnx::ModelProto& model); // input and output names
    static Result<OpenCvNet> import(OpenCvNet net, const std::string& bytes);

    cv::dnn::Net m_net;
    std::vector<std::string> m_inputNames;
    std::vector<std::string> m_outputNames;
};

// "OpenCV cannot import node 'Clip_5' (Clip): <reason>" when OpenCV's message names a
// node, otherwise "<stage>: <OpenCV's message>". Exposed for tests.
Error openCvError(const cv::Exception& e, const std::string& stage);

} // namespace topiary
