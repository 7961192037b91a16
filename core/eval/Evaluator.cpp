#include "core/eval/Evaluator.h"

#include "core/eval/ClassScores.h"
#include "core/eval/EvaluationTally.h"
#include "core/eval/OpenCvNet.h"
#include "core/data/Preprocessor.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <numeric>
#include <random>

namespace topiary {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

Evaluator::Evaluator(Dataset dataset, PreprocessSpec spec, EvaluationOptions options)
    : m_dataset(std::move(dataset))
    , m_spec(std::move(spec))
    , m_options(std::move(options))
{
}

std::vector<int32_t> Evaluator::order() const
{
    std::vector<int32_t> order(m_dataset.size());
    std::iota(order.begin(), order.end(), 0);
    if (m_options.shuffle) {
        // Fisher-Yates with mt19937_64, whose sequence the standard fixes: the same order on every platform.
        std::mt19937_64 rng(m_options.seed);
        for (size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[static_cast<size_t>(rng() % i)]);
    }
    if (m_options.limit > 0 && static_cast<size_t>(m_options.limit) < order.size())
        order.resize(static_cast<size_t>(m_options.limit));
    return order;
}

Result<EvaluationResult> Evaluator::run(
    const onnx::ModelProto& model, const Progress& progress, std::stop_token stop) const
try {
    const auto started = Clock::now();
    if (auto ok = checkPreprocessFor(m_spec, model); !ok)
        return std::unexpected(ok.error());
    auto preprocessor = Preprocessor::create(m_spec);
    if (!preprocessor)
        return std::unexpected(preprocessor.error());
    auto input = findImageInput(model, m_spec.inputName);
    if (!input)
        return std::unexpected(input.error());
    if (m_options.reference && m_options.reference->datasetSize != m_dataset.size())
        return fail("the reference outputs are of a dataset of " + std::to_string(m_options.reference->datasetSize)
            + " samples, this one has " + std::to_string(m_dataset.size()));
    auto net = OpenCvNet::create(model);
    if (!net)
        return std::unexpected(net.error());

    const bool fixedBatch = input->dims[0] > 0;
    const int batch
        = fixedBatch ? static_cast<int>(std::min<int64_t>(input->dims[0], 4096)) : std::max(1, m_options.batchSize);
    const std::vector<int32_t> order = this->order();
    EvaluationResult result;
    EvaluationMetrics& m = result.metrics;
    m.total = static_cast<int64_t>(order.size());
    m.batchSize = batch;
    EvaluationTally run(m_dataset, m_options, result);

    const size_t perImage = preprocessor->floatsPerImage();
    const int blobDims[4] = { batch, m_spec.channels, m_spec.height, m_spec.width };
    cv::Mat blob(4, blobDims, CV_32F);
    std::vector<int32_t> members;
    size_t next = 0;
    while (next < order.size() && !m.cancelled) {
        members.clear();
        while (static_cast<int>(members.size()) < batch && next < order.size()) {
            if (stop.stop_requested())
                break;
            const int32_t sample = order[next++];
            auto image = m_dataset.image(static_cast<size_t>(sample));
            if (!image) {
                ++m.skipped;
                result.skipped.push_back(image.error().message);
                continue;
            }
            if (auto ok = preprocessor->write(*image, blob.ptr<float>() + members.size() * perImage); !ok) {
                ++m.skipped;
                result.skipped.push_back(m_dataset.sampleName(static_cast<size_t>(sample)) + ": " + ok.error().message);
                continue;
            }
            members.push_back(sample);
        }
        if (stop.stop_requested()) {
            m.cancelled = true; // the batch being gathered is dropped: its images were not run
            break;
        }
        if (members.empty())
            continue;

        const int fed = fixedBatch ? batch : static_cast<int>(members.size());
        if (fixedBatch && static_cast<int>(members.size()) < batch)
            std::fill(blob.ptr<float>() + members.size() * perImage, blob.ptr<float>() + batch * perImage, 0.0f);
        const int feedDims[4] = { fed, m_spec.channels, m_spec.height, m_spec.width };
        const cv::Mat feed(4, feedDims, CV_32F, blob.ptr<float>());
        const auto t0 = Clock::now();
        auto outputs = net->forward({ { input->name, feed } });
        const double seconds = secondsSince(t0);
        if (!outputs)
            return std::unexpected(outputs.error());
        if (auto ok = run.addBatch(outputs->front(), members, fed, seconds, order, m_spec); !ok)
            return std::unexpected(ok.error());
        m.elapsedSeconds = secondsSince(started);
        if (progress)
            progress(m);
    }
    m.elapsedSeconds = secondsSince(started);
    return result;
} catch (const cv::Exception& e) {
    return std::unexpected(openCvError(e, "OpenCV failed during the evaluation"));
} catch (const std::exception& e) {
    return fail(std::string("the evaluation failed: ") + e.what());
}

} // namespace topiary
