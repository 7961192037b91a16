#include "core/eval/OpenCvNet.h"

#include "core/eval/DepthwiseConvLayer.h"
#include "core/eval/FakeQuantizeLayer.h"
#include "core/passes/OpenCvCanonicalizer.h"

#include <algorithm>
#include <exception>
#include <regex>
#include <unordered_set>

namespace topiary {

namespace {

// OpenCV's messages nest "OpenCV(4.6.0) <file>:<line>: error: (<code>) <text> in function
// '<signature>'" over several "> "-prefixed lines; keep the text a person can act on.
std::string cleanOpenCvMessage(const std::string& text)
{
    static const std::regex location(R"(OpenCV\([^)]*\) \S+:\d+: error: )");
    static const std::regex function(R"(in function '[^']*')");
    static const std::regex breaks(R"(\s*\n[>\s]*)");
    static const std::regex spaces(R"(\s{2,})");
    std::string s = std::regex_replace(text, location, "");
    s = std::regex_replace(s, function, "");
    s = std::regex_replace(s, breaks, " ");
    s = std::regex_replace(s, spaces, " ");
    const auto first = s.find_first_not_of(" >");
    const auto last = s.find_last_not_of(" >");
    return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

} // namespace

Error openCvError(const cv::Exception& e, const std::string& stage)
{
    const std::string text = e.what();
    // The importer reports "Node [Clip@ai.onnx]:(onnx_node!Clip_5) parse error: <nested error>".
    static const std::regex nodePattern(R"(Node \[([^\]@]+)(?:@[^\]]*)?\]:\((?:onnx_node!)?([^)]*)\)\s*parse error:)");
    std::smatch m;
    if (std::regex_search(text, m, nodePattern))
        return { "OpenCV cannot import node '" + m[2].str() + "' (" + m[1].str()
            + "): " + cleanOpenCvMessage(m.suffix().str()) };
    return { stage + ": " + cleanOpenCvMessage(text) };
}

Result<OpenCvNet> OpenCvNet::create(const onnx::ModelProto& model)
{
    auto canonical = canonicalizeForOpenCv(model);
    if (!canonical)
        return std::unexpected(canonical.error());
    // Keeps only one extra copy of a large model alive at a time: the bytes, not the proto.
    auto net = describe(*canonical);
    std::string bytes;
    if (!canonical->SerializeToString(&bytes))
        return fail("cannot serialize the model for OpenCV (is it larger than 2 GB?)");
    *canonical = onnx::ModelProto();
    return import(std::move(net), bytes);
}

Result<OpenCvNet> OpenCvNet::createWithoutCanonicalizing(const onnx::ModelProto& model)
{
    std::string bytes;
    if (!model.SerializeToString(&bytes))
        return fail("cannot serialize the model for OpenCV (is it larger than 2 GB?)");
    return import(describe(model), bytes);
}

OpenCvNet OpenCvNet::describe(const onnx::ModelProto& model)
{
    OpenCvNet net;
    std::unordered_set<std::string> initializers;
    for (const auto& t : model.graph().initializer())
        initializers.insert(t.name());
    for (const auto& in : model.graph().input())
        if (!initializers.contains(in.name()))
            net.m_inputNames.push_back(in.name());
    for (const auto& out : model.graph().output())
        net.m_outputNames.push_back(out.name());
    return net;
}

Result<OpenCvNet> OpenCvNet::import(OpenCvNet net, const std::string& bytes)
{
    if (net.m_outputNames.empty())
        return fail("the model has no outputs for OpenCV to compute");
    try {
        registerDepthwiseConvLayer();
        registerFakeQuantizeLayer();
        net.m_net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
        if (net.m_net.empty())
            return fail("OpenCV imported an empty network");
        net.m_net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        net.m_net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
    } catch (const cv::Exception& e) {
        return std::unexpected(openCvError(e, "OpenCV cannot import the model"));
    } catch (const std::exception& e) {
        return fail(std::string("OpenCV cannot import the model: ") + e.what());
    }
    return net;
}

Result<std::vector<cv::Mat>> OpenCvNet::forward(const std::vector<std::pair<std::string, cv::Mat>>& inputs)
{
    if (inputs.size() != m_inputNames.size())
        return fail("the model takes " + std::to_string(m_inputNames.size()) + " input(s), "
            + std::to_string(inputs.size()) + " given");
    for (const auto& [name, blob] : inputs) {
        if (std::find(m_inputNames.begin(), m_inputNames.end(), name) == m_inputNames.end())
            return fail("the model has no input named '" + name + "'");
        if (blob.depth() != CV_32F)
            return fail("input '" + name + "' must be a float32 blob");
    }
    try {
        for (const auto& [name, blob] : inputs)
            m_net.setInput(blob, name);
        std::vector<cv::Mat> outputs;
        m_net.forward(outputs, m_outputNames);
        if (outputs.size() != m_outputNames.size())
            return fail("OpenCV returned " + std::to_string(outputs.size()) + " output(s) for the model's "
                + std::to_string(m_outputNames.size()));
        // forward() may hand out views of the net's internal buffers, which the next run overwrites.
        for (auto& out : outputs)
            out = out.clone();
        return outputs;
    } catch (const cv::Exception& e) {
        return std::unexpected(openCvError(e, "OpenCV failed to run the model"));
    } catch (const std::exception& e) {
        return fail(std::string("OpenCV failed to run the model: ") + e.what());
    }
}

Result<cv::Mat> OpenCvNet::forward(const cv::Mat& input)
{
    if (m_inputNames.size() != 1)
        return fail("the model takes " + std::to_string(m_inputNames.size()) + " inputs, not one");
    auto outputs = forward({ { m_inputNames.front(), input } });
    if (!outputs)
        return std::unexpected(outputs.error());
    return std::move(outputs->front());
}

} // namespace topiary
