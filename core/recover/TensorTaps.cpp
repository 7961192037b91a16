#include "core/recover/TensorTaps.h"

#include "core/data/Preprocess.h"
#include "core/eval/SubModel.h"
#include "core/model/Model.h"

#include <algorithm>
#include <cstring>

namespace topiary {

Result<TensorTaps> TensorTaps::create(const Model& original, const onnx::ModelProto& proto,
    const std::string& inputName, const std::vector<std::string>& tensors)
try {
    auto input = findImageInput(proto, inputName);
    if (!input)
        return std::unexpected(input.error());
    // The image itself needs no net (and cannot be a sub-model's input and output at once).
    std::vector<std::string> distinct;
    for (const auto& t : tensors)
        if (t != input->name && std::find(distinct.begin(), distinct.end(), t) == distinct.end())
            distinct.push_back(t);
    std::vector<size_t> outputOf;
    if (distinct.empty()) {
        outputOf.assign(tensors.size(), kImage);
        return TensorTaps(std::nullopt, input->name, input->dims[0], std::move(outputOf));
    }
    TensorInfo image;
    image.name = input->name;
    auto outputs = tensorInfos(original, distinct);
    if (!outputs)
        return std::unexpected(outputs.error());
    auto sub = extractSubModel(proto, std::span<const TensorInfo>(&image, 1), *outputs);
    if (!sub)
        return std::unexpected(sub.error().withContext("preparing a calibration pass"));
    auto net = OpenCvNet::create(*sub);
    if (!net)
        return std::unexpected(net.error());
    for (const auto& t : tensors) {
        if (t == input->name) {
            outputOf.push_back(kImage);
            continue;
        }
        auto it = std::find(net->outputNames().begin(), net->outputNames().end(), t);
        if (it == net->outputNames().end())
            return fail("activation '" + t + "' does not survive the preparation for OpenCV");
        outputOf.push_back(static_cast<size_t>(it - net->outputNames().begin()));
    }
    return TensorTaps(std::move(*net), input->name, input->dims[0], std::move(outputOf));
} catch (const cv::Exception& e) {
    return std::unexpected(openCvError(e, "preparing a calibration pass"));
}

Result<std::vector<cv::Mat>> TensorTaps::forward(const CalibrationImages& images, int64_t first, int count)
try {
    const int64_t n = images.count();
    const size_t perImage = images.blob.total() / static_cast<size_t>(std::max<int64_t>(1, n));
    std::vector<int> dims(images.blob.size.p, images.blob.size.p + images.blob.dims);
    const float* data = images.blob.ptr<float>() + static_cast<size_t>(first) * perImage;
    dims[0] = m_fixedBatch > 0 ? static_cast<int>(m_fixedBatch) : count;
    std::vector<float> padded;
    if (dims[0] > count) { // a fixed batch: pad the last one with zeros
        padded.assign(static_cast<size_t>(dims[0]) * perImage, 0.0f);
        std::memcpy(padded.data(), data, static_cast<size_t>(count) * perImage * sizeof(float));
        data = padded.data();
    }
    cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F, const_cast<float*>(data));
    std::vector<cv::Mat> outputs;
    if (m_net) {
        auto out = m_net->forward({ { m_input, blob } });
        if (!out)
            return std::unexpected(out.error());
        outputs = std::move(*out);
    }
    std::vector<cv::Mat> picked(m_outputOf.size());
    for (size_t i = 0; i < m_outputOf.size(); ++i) {
        if (m_outputOf[i] == kImage) {
            picked[i] = blob.clone();
            continue;
        }
        cv::Mat a = outputs[m_outputOf[i]];
        if (a.depth() != CV_32F)
            a.convertTo(a, CV_32F);
        picked[i] = a.isContinuous() ? a : a.clone();
    }
    return picked;
} catch (const cv::Exception& e) {
    return std::unexpected(openCvError(e, "OpenCV failed during a calibration pass"));
}

Result<void> TensorTaps::run(const CalibrationImages& images, int batchSize, const Visit& visit, std::stop_token stop)
{
    const int64_t n = images.count();
    const int batch = batchFor(batchSize);
    for (int64_t first = 0; first < n; first += batch) {
        if (stop.stop_requested())
            return fail("cancelled");
        const int count = static_cast<int>(std::min<int64_t>(batch, n - first));
        auto out = forward(images, first, count);
        if (!out)
            return std::unexpected(out.error());
        if (auto r = visit(first, count, *out); !r)
            return r;
    }
    return {};
}

} // namespace topiary
