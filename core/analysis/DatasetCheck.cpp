#include "core/analysis/DatasetCheck.h"

#include "core/data/Preprocessor.h"
#include "core/eval/Evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <unordered_map>

namespace topiary {

namespace {

constexpr int64_t kMinimumImages = 20;

std::string percent(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %%", 100.0 * v);
    return buf;
}

} // namespace

bool isNearChance(const Estimate& top1, int classes)
{
    if (classes < 2 || top1.n < kMinimumImages || !std::isfinite(top1.value))
        return false;
    const double chance = 1.0 / classes;
    return top1.value < chance + 0.15 * (1.0 - chance);
}

Result<DatasetCheck> checkDataset(const onnx::ModelProto& model, const Dataset& dataset, const PreprocessSpec& spec,
    const DatasetCheckOptions& options, std::stop_token stop)
{
    EvaluationOptions evaluation;
    evaluation.limit = options.limit;
    evaluation.keepOutputs = false;
    const Evaluator evaluator(dataset, spec, evaluation);
    auto result = evaluator.run(model, {}, stop);
    if (!result)
        return std::unexpected(result.error());

    DatasetCheck out;
    out.metrics = result->metrics;
    out.skipped = result->skipped;
    std::unordered_map<int32_t, int32_t> predictedOf;
    for (size_t i = 0; i < result->predictions.size() && i < result->predictedSamples.size(); ++i)
        predictedOf.emplace(result->predictedSamples[i], result->predictions[i]);

    auto preprocessor = Preprocessor::create(spec);
    if (!preprocessor)
        return std::unexpected(preprocessor.error());
    for (int32_t index : evaluator.order()) {
        if (static_cast<int>(out.previews.size()) >= options.previews || stop.stop_requested())
            break;
        auto image = dataset.image(static_cast<size_t>(index));
        if (!image)
            continue; // listed in `skipped` when the evaluation reached it
        PreviewSample sample;
        sample.index = static_cast<size_t>(index);
        sample.name = dataset.sampleName(sample.index);
        sample.label = dataset.label(sample.index);
        if (auto it = predictedOf.find(index); it != predictedOf.end())
            sample.predicted = it->second;
        if (auto shaped = preprocessor->geometry(*image))
            sample.image = *shaped;
        out.previews.push_back(std::move(sample));
    }

    const int classes = out.metrics.numClasses;
    out.chance = classes > 0 ? 1.0 / classes : 0.0;
    if (out.metrics.labelled > 0) {
        const Estimate top1 = out.metrics.top1();
        out.nearChance = isNearChance(top1, classes);
        out.verdict = "The unmodified model gets " + percent(top1.value) + " (95 % interval " + percent(top1.low)
            + " to " + percent(top1.high) + ") on " + std::to_string(out.metrics.labelled) + " images";
        if (out.nearChance)
            out.verdict += ": that is near chance (" + percent(out.chance) + " for " + std::to_string(classes)
                + " classes). The preprocessing is most likely not the one the model was trained with: check the "
                  "size, scale, mean and std, the channel order and the order of the class names.";
        else
            out.verdict += ".";
    }
    return out;
}

} // namespace topiary
