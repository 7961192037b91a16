#include "core/eval/BatchLoop.h"

#include "core/eval/EvaluationTally.h"

#include <algorithm>
#include <chrono>

namespace topiary {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

Result<EvaluationResult> runBatches(
    const BatchLoopSetup& setup, BatchSource& source, const BatchProgress& progress, std::stop_token stop)
{
    const auto started = Clock::now();
    auto preprocessor = Preprocessor::create(setup.spec);
    if (!preprocessor)
        return std::unexpected(preprocessor.error());
    const std::vector<int32_t>& order = setup.order;
    EvaluationResult result;
    EvaluationMetrics& m = result.metrics;
    m.total = static_cast<int64_t>(order.size());
    m.batchSize = setup.batch;
    EvaluationTally tally(setup.dataset, setup.options, result);

    const size_t perImage = preprocessor->floatsPerImage();
    const PreprocessSpec& spec = setup.spec;
    const int imageDims[4] = { setup.batch, spec.channels, spec.height, spec.width };
    cv::Mat images(4, imageDims, CV_32F);
    Batch batch;
    size_t next = 0;
    while (next < order.size() && !m.cancelled) {
        batch.begin = next;
        batch.positions.clear();
        batch.members.clear();
        batch.decoded = source.needsImage(next);
        while (static_cast<int>(batch.members.size()) < setup.batch && next < order.size()) {
            if (stop.stop_requested() || source.needsImage(next) != batch.decoded)
                break;
            const size_t position = next++;
            const int32_t sample = order[position];
            if (!batch.decoded) {
                if (const std::string* problem = source.skippedBefore(position)) {
                    ++m.skipped;
                    result.skipped.push_back(*problem);
                    continue;
                }
            } else {
                auto image = setup.dataset.image(static_cast<size_t>(sample));
                std::string problem;
                if (!image)
                    problem = image.error().message;
                else if (auto ok = preprocessor->write(*image, images.ptr<float>() + batch.members.size() * perImage); !ok)
                    problem = setup.dataset.sampleName(static_cast<size_t>(sample)) + ": " + ok.error().message;
                if (!problem.empty()) {
                    ++m.skipped;
                    result.skipped.push_back(problem);
                    source.skipped(position, problem);
                    continue;
                }
            }
            batch.positions.push_back(position);
            batch.members.push_back(sample);
        }
        batch.end = next;
        if (stop.stop_requested()) {
            m.cancelled = true; // the batch being gathered is dropped: its images were not run
            break;
        }
        if (batch.members.empty())
            continue;
        const int members = static_cast<int>(batch.members.size());
        batch.fed = setup.fixedBatch ? setup.batch : members;
        if (batch.decoded) {
            if (members < batch.fed)
                std::fill(images.ptr<float>() + members * perImage, images.ptr<float>() + batch.fed * perImage, 0.0f);
            const int feedDims[4] = { batch.fed, spec.channels, spec.height, spec.width };
            batch.images = cv::Mat(4, feedDims, CV_32F, images.ptr<float>());
        } else {
            batch.images = cv::Mat();
        }
        double seconds = 0.0;
        auto out = source.forward(batch, seconds);
        if (!out)
            return std::unexpected(out.error());
        if (auto ok = tally.addBatch(*out, batch.members, batch.fed, seconds, order, spec); !ok)
            return std::unexpected(ok.error());
        m.elapsedSeconds = secondsSince(started);
        if (progress)
            progress(m);
    }
    m.elapsedSeconds = secondsSince(started);
    return result;
}

} // namespace topiary
