#include "core/eval/EvaluationResult.h"

#include <limits>

namespace topiary {

std::span<const float> ModelOutputs::row(size_t r) const
{
    const auto width = static_cast<size_t>(numClasses);
    return { values.data() + r * width, width };
}

std::span<const float> ModelOutputs::forSample(size_t sample) const
{
    if (sample >= rowOfSample.size() || rowOfSample[sample] < 0)
        return {};
    return row(static_cast<size_t>(rowOfSample[sample]));
}

Estimate EvaluationMetrics::classAccuracy(int label) const
{
    if (label < 0 || static_cast<size_t>(label) >= perClass.size())
        return wilsonInterval(0, 0);
    const ClassTally& t = perClass[static_cast<size_t>(label)];
    return wilsonInterval(t.correct, t.total);
}

int64_t EvaluationMetrics::confusionAt(int label, int predicted) const
{
    if (label < 0 || predicted < 0 || label >= numClasses || predicted >= numClasses)
        return 0;
    return confusion[static_cast<size_t>(label) * static_cast<size_t>(numClasses) + static_cast<size_t>(predicted)];
}

double EvaluationMetrics::secondsPerImage() const
{
    if (timedImages > 0)
        return timedSeconds / static_cast<double>(timedImages);
    if (processed > 0)
        return forwardSeconds / static_cast<double>(processed);
    return std::numeric_limits<double>::quiet_NaN();
}

double EvaluationMetrics::imagesPerSecond() const
{
    if (processed == 0 || elapsedSeconds <= 0.0)
        return std::numeric_limits<double>::quiet_NaN();
    return static_cast<double>(processed) / elapsedSeconds;
}

} // namespace topiary
