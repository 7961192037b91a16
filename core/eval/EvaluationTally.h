// The metrics of one evaluation run, tallied sample by sample: top-1/top-k, per class,
// confusion, agreement and KL against the reference outputs, and the kept outputs. The
// full evaluator and the incremental one feed it the same way, so their results agree.
#pragma once

#include "core/data/Dataset.h"
#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/data/Preprocess.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace topiary {

class EvaluationTally {
public:
    EvaluationTally(const Dataset& dataset, const EvaluationOptions& options, EvaluationResult& result)
        : m_dataset(dataset)
        , m_options(options)
        , m_result(result)
    {
    }

    // Sets up the tallies once the first batch shows how many outputs the model has.
    // Errors: a label beyond the outputs, a reference of another width.
    Result<void> start(int numClasses, const std::vector<int32_t>& order, const PreprocessSpec& spec);
    // One sample's output row.
    void add(int32_t sample, std::span<const float> row);
    // One forward pass: `out` holds `fed` rows of class scores (fed >= members: a fixed
    // batch is padded), the first members.size() of them for these samples. The first
    // batch starts the tally; its time is not counted as latency (OpenCV warms up on it).
    Result<void> addBatch(cv::Mat out, std::span<const int32_t> members, int fed, double seconds,
        const std::vector<int32_t>& order, const PreprocessSpec& spec);

private:
    const Dataset& m_dataset;
    const EvaluationOptions& m_options;
    EvaluationResult& m_result;
    bool m_started = false;
};

} // namespace topiary
