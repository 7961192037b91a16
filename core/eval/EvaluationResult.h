// What an evaluation measures, as it goes (EvaluationMetrics, small enough to copy to the
// GUI after every batch) and when it ends (EvaluationResult, which adds the raw outputs).
// Accuracies count labelled samples only; agreement and KL count samples the reference
// run also processed. Latency is the forward pass alone, per image, at the run's batch
// size, excluding the first batch (OpenCV allocates and tunes on it).
#pragma once

#include "core/base/Estimate.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace topiary {

// The raw outputs (logits, or probabilities) of one model on a dataset, one row per
// processed sample. The original model's outputs are kept as the reference, so runs of
// compressed models compute agreement and KL without running the original again.
struct ModelOutputs {
    int numClasses = 0;
    size_t datasetSize = 0; // the dataset the sample indices refer to
    std::vector<int32_t> samples; // dataset index of each row, in processing order
    std::vector<float> values; // samples.size() x numClasses
    std::vector<int32_t> rowOfSample; // datasetSize entries; -1 = not processed

    size_t rows() const { return samples.size(); }
    std::span<const float> row(size_t r) const;
    // The row of dataset sample i, empty when that sample was not processed.
    std::span<const float> forSample(size_t sample) const;
};

struct ClassTally {
    int64_t correct = 0;
    int64_t total = 0;
};

struct EvaluationMetrics {
    int64_t total = 0; // samples this run covers (dataset size, or the limit)
    int64_t processed = 0; // run through the model so far
    int64_t skipped = 0; // images that could not be decoded during this run
    bool cancelled = false;
    int batchSize = 1;
    int numClasses = 0; // outputs per sample (0 until the first batch ran)
    int topK = 5; // min(5, numClasses)

    int64_t labelled = 0; // processed samples that have a label
    int64_t top1Correct = 0;
    int64_t topKCorrect = 0;
    std::vector<ClassTally> perClass; // by true label, numClasses entries
    std::vector<int64_t> confusion; // numClasses x numClasses: row = true label, column = prediction

    int64_t compared = 0; // samples also in the reference
    int64_t agreed = 0; // same top-1 class as the reference
    double klSum = 0.0; // of KL(p_ref || p) over compared samples
    double klSumOfSquares = 0.0;

    double forwardSeconds = 0.0; // all forward passes
    double timedSeconds = 0.0; // forward passes after the first batch
    int64_t timedImages = 0;
    std::vector<double> timedBatches; // seconds per image of each batch after the first, in order
    double elapsedSeconds = 0.0; // wall time of the run so far, decoding included

    Estimate top1() const { return wilsonInterval(top1Correct, labelled); }
    Estimate topKAccuracy() const { return wilsonInterval(topKCorrect, labelled); }
    Estimate classAccuracy(int label) const;
    Estimate agreement() const { return wilsonInterval(agreed, compared); }
    Estimate meanKl() const { return meanInterval(klSum, klSumOfSquares, compared); }
    int64_t confusionAt(int label, int predicted) const;
    double secondsPerImage() const; // forward latency per image (NaN before any batch)
    // The timed batches' seconds per image: median with quartiles, so one slow batch (the
    // machine busy elsewhere) neither moves the number nor passes for a change.
    Estimate latency() const { return medianWithQuartiles(timedBatches); }
    double imagesPerSecond() const; // end to end, decoding and preprocessing included
    bool finished() const { return !cancelled && processed + skipped == total; }
};

struct EvaluationResult {
    EvaluationMetrics metrics;
    ModelOutputs outputs; // kept when EvaluationOptions::keepOutputs (the default)
    std::vector<int32_t> predictions; // top-1 class of each outputs row / processed sample, in order
    std::vector<int32_t> predictedSamples; // dataset index of each entry of predictions
    std::vector<std::string> skipped; // "<sample>: <reason>" for images that failed to decode
    std::vector<std::string> warnings; // e.g. the dataset names more classes than the model has outputs
};

// How a run visits the dataset and what it keeps.
struct EvaluationOptions {
    int64_t limit = 0; // at most this many samples; 0 = all
    int batchSize = 32; // used when the model's batch dimension is symbolic
    bool shuffle = true;
    uint64_t seed = 20261123;
    bool keepOutputs = true; // keep every row of outputs, to be the reference of later runs
    // The original model's outputs on the same dataset (same preprocessing); null = no
    // agreement or KL. Rows are matched by dataset index.
    std::shared_ptr<const ModelOutputs> reference;
};

} // namespace topiary
