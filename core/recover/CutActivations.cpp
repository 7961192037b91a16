#include "core/recover/CutActivations.h"

#include "core/data/Preprocess.h"
#include "core/model/Model.h"

#include <algorithm>
#include <cstring>

namespace topiary {

Result<CutActivations> CutActivations::create(const Model& original, const CalibrationImages& images, int batchSize)
{
    auto input = findImageInput(original.proto(), images.inputName);
    if (!input)
        return std::unexpected(input.error());
    CutActivations c;
    c.m_model = &original;
    c.m_images = images.count();
    c.m_fixedBatch = input->dims[0];
    TensorInfo image;
    image.name = input->name; // a graph input keeps the proto's declaration
    c.m_tensors = { input->name };
    c.m_infos = { image };
    const int batch = c.m_fixedBatch > 0 ? static_cast<int>(c.m_fixedBatch) : std::max(1, batchSize);
    c.m_batch = batch;
    const size_t perImage = images.blob.total() / static_cast<size_t>(std::max<int64_t>(1, c.m_images));
    std::vector<int> dims(images.blob.size.p, images.blob.size.p + images.blob.dims);
    for (int64_t first = 0; first < c.m_images; first += batch) {
        const int count = static_cast<int>(std::min<int64_t>(batch, c.m_images - first));
        float* data = const_cast<float*>(images.blob.ptr<float>()) + static_cast<size_t>(first) * perImage;
        dims[0] = c.m_fixedBatch > 0 ? static_cast<int>(c.m_fixedBatch) : count;
        cv::Mat slice(static_cast<int>(dims.size()), dims.data(), CV_32F, data, nullptr);
        if (dims[0] > count) { // a fixed batch: pad the last one with zeros
            cv::Mat padded = cv::Mat::zeros(static_cast<int>(dims.size()), dims.data(), CV_32F);
            std::memcpy(padded.ptr<float>(), data, static_cast<size_t>(count) * perImage * sizeof(float));
            slice = padded;
        }
        c.m_values.push_back({ slice });
        c.m_counts.push_back(count);
        c.m_first.push_back(first);
    }
    return c;
}

int64_t CutActivations::bytes() const
{
    if (m_atImages)
        return 0;
    int64_t total = 0;
    for (const auto& batch : m_values)
        for (const auto& t : batch)
            total += static_cast<int64_t>(t.total() * t.elemSize());
    return total;
}

Result<CutActivations::Pass> CutActivations::pass(const onnx::ModelProto& proto, const std::vector<std::string>& tensors) const
try {
    Pass p(*this);
    std::vector<std::string> needed;
    for (const auto& t : tensors) {
        auto it = std::find(m_tensors.begin(), m_tensors.end(), t);
        p.m_fromCut.push_back(it == m_tensors.end() ? -1 : static_cast<int>(it - m_tensors.begin()));
        if (it == m_tensors.end() && std::find(needed.begin(), needed.end(), t) == needed.end())
            needed.push_back(t);
    }
    p.m_fromNet.assign(tensors.size(), 0);
    if (needed.empty())
        return p;
    auto outputs = tensorInfos(*m_model, needed);
    if (!outputs)
        return std::unexpected(outputs.error());
    auto sub = extractSubModel(proto, m_infos, *outputs);
    if (!sub)
        return std::unexpected(sub.error().withContext("preparing a calibration pass"));
    auto net = OpenCvNet::create(*sub);
    if (!net)
        return std::unexpected(net.error());
    for (const auto& name : net->inputNames()) {
        auto it = std::find(m_tensors.begin(), m_tensors.end(), name);
        if (it == m_tensors.end())
            return fail("a calibration pass reads '" + name + "', which is not a cut tensor");
        p.m_feed.push_back(static_cast<size_t>(it - m_tensors.begin()));
    }
    for (size_t i = 0; i < tensors.size(); ++i) {
        if (p.m_fromCut[i] >= 0)
            continue;
        auto it = std::find(net->outputNames().begin(), net->outputNames().end(), tensors[i]);
        if (it == net->outputNames().end())
            return fail("activation '" + tensors[i] + "' does not survive the preparation for OpenCV");
        p.m_fromNet[i] = static_cast<size_t>(it - net->outputNames().begin());
    }
    p.m_net.emplace(std::move(*net));
    return p;
} catch (const cv::Exception& e) {
    return std::unexpected(openCvError(e, "preparing a calibration pass"));
}

Result<std::vector<cv::Mat>> CutActivations::Pass::forward(size_t batch)
try {
    const std::vector<cv::Mat>& cut = m_cache->m_values[batch];
    std::vector<cv::Mat> outputs;
    if (m_net) {
        std::vector<std::pair<std::string, cv::Mat>> feed;
        for (size_t i = 0; i < m_feed.size(); ++i)
            feed.emplace_back(m_net->inputNames()[i], cut[m_feed[i]]);
        auto out = m_net->forward(feed);
        if (!out)
            return std::unexpected(out.error());
        outputs = std::move(*out);
    }
    std::vector<cv::Mat> picked(m_fromCut.size());
    for (size_t i = 0; i < m_fromCut.size(); ++i) {
        cv::Mat a = m_fromCut[i] >= 0 ? cut[static_cast<size_t>(m_fromCut[i])] : outputs[m_fromNet[i]];
        if (a.depth() != CV_32F)
            a.convertTo(a, CV_32F);
        picked[i] = a.isContinuous() ? a : a.clone();
    }
    return picked;
} catch (const cv::Exception& e) {
    return std::unexpected(openCvError(e, "OpenCV failed during a calibration pass"));
}

Result<bool> CutActivations::advance(const onnx::ModelProto& proto, const Cut& cut, int64_t budget, std::stop_token stop)
{
    if (cut.tensors == m_tensors)
        return true;
    if (cut.infos.size() != cut.tensors.size())
        return false;
    // Rows per pass as the batches hold them (the padding of a fixed batch included).
    int64_t rows = 0;
    for (size_t b = 0; b < m_values.size(); ++b)
        rows += m_fixedBatch > 0 ? m_fixedBatch : m_counts[b];
    int64_t bytes = 0;
    for (const auto& info : cut.infos) {
        if (!info.hasShape || info.shape.empty())
            return false;
        int64_t perRow = elementSize(info.elemType);
        for (size_t d = 1; d < info.shape.size(); ++d) {
            if (info.shape[d] <= 0)
                return false;
            perRow *= info.shape[d];
        }
        bytes += perRow * rows;
        if (perRow <= 0 || bytes > budget)
            return false;
    }
    auto p = pass(proto, cut.tensors);
    if (!p)
        return std::unexpected(p.error());
    std::vector<std::vector<cv::Mat>> values;
    for (size_t b = 0; b < m_values.size(); ++b) {
        if (stop.stop_requested())
            return fail("cancelled");
        auto out = p->forward(b);
        if (!out)
            return std::unexpected(out.error());
        values.push_back(std::move(*out));
    }
    m_values = std::move(values);
    m_tensors = cut.tensors;
    m_infos = cut.infos;
    m_atImages = false;
    return true;
}

} // namespace topiary
