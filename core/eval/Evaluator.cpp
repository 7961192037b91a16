#include "core/eval/Evaluator.h"

#include "core/eval/BatchLoop.h"
#include "core/eval/OpenCvNet.h"

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

namespace {

// A full run: every sample is decoded and goes through the whole model.
class FullRun final : public BatchSource {
public:
    FullRun(OpenCvNet& net, std::string input)
        : m_net(net)
        , m_input(std::move(input))
    {
    }
    bool needsImage(size_t) const override { return true; }
    const std::string* skippedBefore(size_t) const override { return nullptr; }
    void skipped(size_t, const std::string&) override { }
    Result<cv::Mat> forward(const Batch& batch, double& seconds) override
    {
        const auto t0 = Clock::now();
        auto outputs = m_net.forward({ { m_input, batch.images } });
        seconds += secondsSince(t0);
        if (!outputs)
            return std::unexpected(outputs.error());
        return std::move(outputs->front());
    }

private:
    OpenCvNet& m_net;
    std::string m_input;
};

} // namespace

Result<EvaluationResult> Evaluator::run(
    const onnx::ModelProto& model, const Progress& progress, std::stop_token stop) const
try {
    if (auto ok = checkPreprocessFor(m_spec, model); !ok)
        return std::unexpected(ok.error());
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
    FullRun source(*net, input->name);
    return runBatches({ m_dataset, m_spec, m_options, order, batch, fixedBatch }, source, progress, stop);
} catch (const cv::Exception& e) {
    return std::unexpected(openCvError(e, "OpenCV failed during the evaluation"));
} catch (const std::exception& e) {
    return fail(std::string("the evaluation failed: ") + e.what());
}

} // namespace topiary
