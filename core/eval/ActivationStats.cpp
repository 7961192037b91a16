#include "core/eval/ActivationStats.h"

#include "core/eval/Evaluator.h"
#include "core/model/Model.h"
#include "core/eval/OpenCvNet.h"
#include "core/data/Preprocessor.h"
#include "core/eval/SubModel.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <set>

namespace topiary {

namespace {

// Clip(x, 0, max): zero exactly where ReLU is.
bool isClipAtZero(const Model& model, int index)
{
    const Node& n = model.node(index);
    if (n.opType != "Clip")
        return false;
    if (n.inputs.size() >= 2 && !n.inputs[1].empty()) {
        const Constant* c = model.resolveConstant(n.inputs[1]);
        return c && c->floats.size() == 1 && c->floats[0] == 0.0f;
    }
    for (const auto& a : model.nodeProto(index).attribute())
        if (a.name() == "min")
            return a.f() == 0.0f;
    return false;
}

bool isRelu(const Model& model, int index)
{
    const Node& n = model.node(index);
    return n.opType == "Relu" || isClipAtZero(model, index);
}

// The one node reading `tensor`, or -1.
int soleConsumer(const Model& model, const std::string& tensor)
{
    const auto c = model.consumers(tensor);
    return c.size() == 1 && !model.isGraphOutput(tensor) ? c[0] : -1;
}

} // namespace

ActivationSite activationSite(const Model& model, const Layer& layer)
{
    ActivationSite site;
    site.channelAxis = layer.kind == LayerKind::MatMul ? -1 : 1;
    std::string t = layer.output;
    if (layer.batchNorm >= 0 && !model.node(layer.batchNorm).outputs.empty())
        t = model.node(layer.batchNorm).outputs[0];
    if (layer.kind == LayerKind::MatMul) {
        const int c = soleConsumer(model, t);
        if (c >= 0 && model.node(c).opType == "Add" && model.node(c).inputs.size() == 2
            && (model.resolveConstant(model.node(c).inputs[0]) || model.resolveConstant(model.node(c).inputs[1])))
            t = model.node(c).outputs[0];
    }
    site.tensor = t;
    std::set<std::string> readers;
    for (int c : model.consumers(t)) {
        if (isRelu(model, c) && !model.node(c).outputs.empty()) {
            site.tensor = model.node(c).outputs[0];
            site.relu = true;
            return site;
        }
        readers.insert(model.node(c).opType);
    }
    if (readers.empty()) {
        site.note = "no ReLU follows: its output is a graph output";
    } else {
        std::string ops;
        for (const auto& r : readers)
            ops += (ops.empty() ? "" : ", ") + r;
        site.note = "no ReLU follows: its output goes to " + ops;
    }
    return site;
}

std::vector<double> LayerActivationStats::apoz() const
{
    std::vector<double> out(zeros.size(), std::numeric_limits<double>::quiet_NaN());
    if (valuesPerChannel > 0)
        for (size_t c = 0; c < zeros.size(); ++c)
            out[c] = static_cast<double>(zeros[c]) / static_cast<double>(valuesPerChannel);
    return out;
}

std::vector<double> LayerActivationStats::meanActivation() const
{
    std::vector<double> out(sums.size(), std::numeric_limits<double>::quiet_NaN());
    if (valuesPerChannel > 0)
        for (size_t c = 0; c < sums.size(); ++c)
            out[c] = sums[c] / static_cast<double>(valuesPerChannel);
    return out;
}

const LayerActivationStats* ActivationStats::find(std::string_view layerName) const
{
    for (const auto& l : layers)
        if (l.name == layerName)
            return &l;
    return nullptr;
}

Result<ActivationStats> gatherActivationStats(const Model& model, const std::vector<Layer>& layers,
    const Dataset& dataset, const PreprocessSpec& spec, const ActivationStatsOptions& options,
    const ActivationProgress& progress, std::stop_token stop)
try {
    if (auto ok = checkPreprocessFor(spec, model.proto()); !ok)
        return std::unexpected(ok.error());
    auto preprocessor = Preprocessor::create(spec);
    if (!preprocessor)
        return std::unexpected(preprocessor.error());
    auto input = findImageInput(model.proto(), spec.inputName);
    if (!input)
        return std::unexpected(input.error());

    ActivationStats stats;
    std::vector<std::string> tensors; // distinct site tensors
    std::vector<size_t> tensorOf; // per layer
    for (size_t i = 0; i < layers.size(); ++i) {
        LayerActivationStats l;
        l.layer = static_cast<int>(i);
        l.name = layers[i].name;
        l.site = activationSite(model, layers[i]);
        auto it = std::find(tensors.begin(), tensors.end(), l.site.tensor);
        tensorOf.push_back(static_cast<size_t>(it - tensors.begin()));
        if (it == tensors.end())
            tensors.push_back(l.site.tensor);
        stats.layers.push_back(std::move(l));
    }
    if (layers.empty())
        return stats;

    // The model cut down to what computes the activations, which become its outputs.
    TensorInfo image;
    image.name = input->name;
    auto outputs = tensorInfos(model, tensors);
    if (!outputs)
        return std::unexpected(outputs.error());
    auto sub = extractSubModel(model.proto(), std::span<const TensorInfo>(&image, 1), *outputs);
    if (!sub)
        return std::unexpected(sub.error().withContext("preparing the activation pass"));
    auto net = OpenCvNet::create(*sub);
    if (!net)
        return std::unexpected(net.error());
    std::vector<size_t> outputOf; // per distinct tensor: index among the net's outputs
    for (const auto& t : tensors) {
        auto it = std::find(net->outputNames().begin(), net->outputNames().end(), t);
        if (it == net->outputNames().end())
            return fail("activation '" + t + "' does not survive the preparation for OpenCV");
        outputOf.push_back(static_cast<size_t>(it - net->outputNames().begin()));
    }

    EvaluationOptions orderOptions;
    orderOptions.limit = options.samples;
    orderOptions.shuffle = options.shuffle;
    orderOptions.seed = options.seed;
    const std::vector<int32_t> order = Evaluator(dataset, spec, orderOptions).order();
    const int64_t total = static_cast<int64_t>(order.size());

    const bool fixedBatch = input->dims[0] > 0;
    const int batch = fixedBatch ? static_cast<int>(std::min<int64_t>(input->dims[0], 4096)) : std::max(1, options.batchSize);
    const size_t perImage = preprocessor->floatsPerImage();
    const int blobDims[4] = { batch, spec.channels, spec.height, spec.width };
    cv::Mat blob(4, blobDims, CV_32F);
    std::vector<bool> unusable(layers.size(), false);
    size_t next = 0;
    int members = 0;
    while (next < order.size()) {
        members = 0;
        while (members < batch && next < order.size() && !stop.stop_requested()) {
            auto img = dataset.image(static_cast<size_t>(order[next++]));
            if (!img || !preprocessor->write(*img, blob.ptr<float>() + static_cast<size_t>(members) * perImage)) {
                ++stats.skipped;
                continue;
            }
            ++members;
        }
        if (stop.stop_requested()) {
            stats.cancelled = true;
            break;
        }
        if (members == 0)
            continue;
        const int fed = fixedBatch ? batch : members;
        if (fed > members)
            std::fill(blob.ptr<float>() + static_cast<size_t>(members) * perImage,
                blob.ptr<float>() + static_cast<size_t>(fed) * perImage, 0.0f);
        const int feedDims[4] = { fed, spec.channels, spec.height, spec.width };
        auto out = net->forward({ { input->name, cv::Mat(4, feedDims, CV_32F, blob.ptr<float>()) } });
        if (!out)
            return std::unexpected(out.error());

        for (size_t i = 0; i < layers.size(); ++i) {
            LayerActivationStats& l = stats.layers[i];
            if (unusable[i])
                continue;
            cv::Mat a = (*out)[outputOf[tensorOf[i]]];
            if (a.depth() != CV_32F)
                a.convertTo(a, CV_32F);
            if (!a.isContinuous())
                a = a.clone();
            const int axis = l.site.channelAxis < 0 ? a.dims - 1 : l.site.channelAxis;
            if (a.dims < 2 || a.size[0] != fed || axis >= a.dims || a.size[axis] != layers[i].outChannels) {
                // Not one value per channel per position (e.g. a Gemm without a batch): nothing to count.
                unusable[i] = true;
                l.site.relu = false;
                l.site.note = "its activation '" + l.site.tensor + "' does not have the batch first and its "
                    + std::to_string(layers[i].outChannels) + " channels on axis " + std::to_string(axis);
                l.zeros.clear();
                l.sums.clear();
                l.valuesPerChannel = 0;
                continue;
            }
            const auto channels = static_cast<size_t>(a.size[axis]);
            size_t outer = 1; // per sample, before the channel axis
            size_t inner = 1;
            for (int d = 1; d < axis; ++d)
                outer *= static_cast<size_t>(a.size[d]);
            for (int d = axis + 1; d < a.dims; ++d)
                inner *= static_cast<size_t>(a.size[d]);
            if (l.zeros.empty()) {
                l.zeros.assign(channels, 0);
                l.sums.assign(channels, 0.0);
            }
            const float* p = a.ptr<float>();
            const size_t blocks = static_cast<size_t>(members) * outer; // padding rows are left out
            for (size_t b = 0; b < blocks; ++b)
                for (size_t c = 0; c < channels; ++c) {
                    const float* v = p + (b * channels + c) * inner;
                    int64_t zeros = 0;
                    double sum = 0.0;
                    for (size_t k = 0; k < inner; ++k) {
                        zeros += v[k] == 0.0f;
                        sum += v[k];
                    }
                    l.zeros[c] += zeros;
                    l.sums[c] += sum;
                }
            l.valuesPerChannel += static_cast<int64_t>(blocks * inner);
        }
        stats.samples += members;
        if (progress)
            progress(stats.samples + stats.skipped, total);
    }
    return stats;
} catch (const cv::Exception& e) {
    return std::unexpected(openCvError(e, "OpenCV failed while measuring activations"));
} catch (const std::exception& e) {
    return fail(std::string("measuring activations failed: ") + e.what());
}

Result<std::vector<float>> apozScores(const ActivationStats& stats, int layer)
{
    if (layer < 0 || static_cast<size_t>(layer) >= stats.layers.size() || stats.layers[static_cast<size_t>(layer)].layer != layer)
        return fail("the activation statistics do not cover layer " + std::to_string(layer));
    const LayerActivationStats& l = stats.layers[static_cast<size_t>(layer)];
    if (!l.site.relu)
        return fail("APoZ is not defined for layer '" + l.name + "': " + l.site.note);
    if (l.valuesPerChannel <= 0)
        return fail("no activations of layer '" + l.name + "' were measured");
    std::vector<float> scores;
    scores.reserve(l.zeros.size());
    for (double a : l.apoz())
        scores.push_back(static_cast<float>(1.0 - a));
    return scores;
}

FilterScorer activationScorer(ActivationStats stats, FilterScorer fallback)
{
    auto shared = std::make_shared<const ActivationStats>(std::move(stats));
    return [shared, fallback = std::move(fallback)](int layer, Criterion criterion) -> Result<std::vector<float>> {
        if (criterion == Criterion::Apoz)
            return apozScores(*shared, layer);
        if (!fallback)
            return fail("no scorer for this criterion");
        return fallback(layer, criterion);
    };
}

} // namespace topiary
