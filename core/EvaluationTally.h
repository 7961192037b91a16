// The metrics of one evaluation run, tallied sample by sample: top-1/top-k, per class,
// confusion, agreement and KL against the reference outputs, and the kept outputs. The
// full evaluator and the incremental one feed it the same way, so their results agree.
#pragma once

#include "core/Dataset.h"
#include "core/Error.h"
#include "core/EvaluationResult.h"
#include "core/Evaluator.h"
#include "core/Preprocess.h"

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

private:
    const Dataset& m_dataset;
    const EvaluationOptions& m_options;
    EvaluationResult& m_result;
};

} // namespace topiary
