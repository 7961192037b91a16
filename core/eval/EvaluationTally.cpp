#include "core/eval/EvaluationTally.h"

#include "core/eval/ClassScores.h"

#include <algorithm>

namespace topiary {

Result<void> EvaluationTally::start(int numClasses, const std::vector<int32_t>& order, const PreprocessSpec& spec)
{
    EvaluationMetrics& m = m_result.metrics;
    m.numClasses = numClasses;
    m.topK = std::min(5, numClasses);
    m.perClass.assign(static_cast<size_t>(numClasses), {});
    m.confusion.assign(static_cast<size_t>(numClasses) * static_cast<size_t>(numClasses), 0);
    if (m_dataset.maxLabel() >= numClasses)
        for (int32_t i : order)
            if (m_dataset.label(static_cast<size_t>(i)) >= numClasses)
                return fail("sample " + m_dataset.sampleName(static_cast<size_t>(i)) + " has label "
                    + std::to_string(m_dataset.label(static_cast<size_t>(i))) + ", but the model has "
                    + std::to_string(numClasses) + " outputs per image");
    const auto& ref = m_options.reference;
    if (ref && ref->numClasses != numClasses && ref->rows() > 0)
        return fail("the reference outputs have " + std::to_string(ref->numClasses)
            + " values per sample, this model " + std::to_string(numClasses));
    const auto& names = m_dataset.classNames();
    if (!names.empty() && names.size() != static_cast<size_t>(numClasses))
        m_result.warnings.push_back("the dataset has " + std::to_string(names.size()) + " classes, the model "
            + std::to_string(numClasses) + " outputs: are the labels in the model's class order?");
    if (!spec.classes.empty() && spec.classes.size() != static_cast<size_t>(numClasses))
        m_result.warnings.push_back("the preprocessing names " + std::to_string(spec.classes.size())
            + " classes, the model has " + std::to_string(numClasses) + " outputs");
    if (m_options.keepOutputs) {
        ModelOutputs& out = m_result.outputs;
        out.numClasses = numClasses;
        out.datasetSize = m_dataset.size();
        out.rowOfSample.assign(m_dataset.size(), -1);
        out.samples.reserve(order.size());
        out.values.reserve(order.size() * static_cast<size_t>(numClasses));
    }
    return {};
}

void EvaluationTally::add(int32_t sample, std::span<const float> row)
{
    EvaluationMetrics& m = m_result.metrics;
    const int predicted = predictedClass(row);
    m_result.predictions.push_back(predicted);
    m_result.predictedSamples.push_back(sample);
    const int label = m_dataset.label(static_cast<size_t>(sample));
    if (label >= 0) {
        const int rank = rankOf(row, label);
        ++m.labelled;
        m.top1Correct += rank == 0;
        m.topKCorrect += rank < m.topK;
        ClassTally& tally = m.perClass[static_cast<size_t>(label)];
        ++tally.total;
        tally.correct += rank == 0;
        ++m.confusion[static_cast<size_t>(label) * static_cast<size_t>(m.numClasses)
            + static_cast<size_t>(predicted)];
    }
    if (m_options.reference) {
        const auto reference = m_options.reference->forSample(static_cast<size_t>(sample));
        if (!reference.empty()) {
            ++m.compared;
            m.agreed += predictedClass(reference) == predicted;
            const double kl = klDivergence(reference, row);
            m.klSum += kl;
            m.klSumOfSquares += kl * kl;
        }
    }
    if (m_options.keepOutputs) {
        ModelOutputs& out = m_result.outputs;
        out.rowOfSample[static_cast<size_t>(sample)] = static_cast<int32_t>(out.samples.size());
        out.samples.push_back(sample);
        out.values.insert(out.values.end(), row.begin(), row.end());
    }
    ++m.processed;
}

Result<void> EvaluationTally::addBatch(cv::Mat out, std::span<const int32_t> members, int fed, double seconds,
    const std::vector<int32_t>& order, const PreprocessSpec& spec)
{
    EvaluationMetrics& m = m_result.metrics;
    if (out.depth() != CV_32F)
        out.convertTo(out, CV_32F);
    if (!out.isContinuous())
        out = out.clone();
    if (out.total() == 0 || out.total() % static_cast<size_t>(fed) != 0 || (out.dims >= 2 && out.size[0] != fed))
        return fail("the model's first output (" + std::to_string(out.total()) + " values for " + std::to_string(fed)
            + " images) is not one row of class scores per image");
    const auto numClasses = static_cast<int>(out.total() / static_cast<size_t>(fed));
    const bool first = !m_started;
    if (first) {
        if (auto ok = start(numClasses, order, spec); !ok)
            return ok;
        m_started = true;
    } else if (numClasses != m.numClasses) {
        return fail("the model gave " + std::to_string(numClasses) + " outputs per image, "
            + std::to_string(m.numClasses) + " before");
    }
    const float* rows = out.ptr<float>();
    for (size_t r = 0; r < members.size(); ++r)
        add(members[r], { rows + r * static_cast<size_t>(numClasses), static_cast<size_t>(numClasses) });
    m.forwardSeconds += seconds;
    if (!first) {
        m.timedSeconds += seconds;
        m.timedImages += static_cast<int64_t>(members.size());
        m.timedBatches.push_back(seconds / static_cast<double>(members.size()));
    }
    return {};
}

} // namespace topiary
