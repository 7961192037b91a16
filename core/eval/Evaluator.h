// Runs a classifier (the original model or a compressed one, as an onnx::ModelProto) with
// OpenCV dnn over a dataset and measures top-1/top-5, per-class accuracy, the confusion
// matrix, agreement and KL divergence with a reference model's outputs, and latency.
//
// Samples are visited in a fixed pseudo-random order (unless options.shuffle is off), so
// the estimate after any batch is that of a random sample, not of the first classes of a
// sorted folder; `limit` takes the first samples of that order. Images go in batches of
// options.batchSize when the model's batch dimension is symbolic; a model with a fixed
// batch gets batches of exactly that size (the last one padded).
//
// run() is synchronous: the GUI calls it on a worker thread. It builds its own OpenCV net,
// so concurrent runs share nothing mutable; the Dataset and the reference outputs are
// immutable and shared. After each batch it calls `progress` with the metrics so far, on
// the thread running run() (the GUI queues them to its own thread); when `stop` is
// requested it returns what it has, marked cancelled, within one image's decoding or one
// forward pass.
#pragma once

#include "core/data/Dataset.h"
#include "core/base/Error.h"
#include "core/eval/EvaluationResult.h"
#include "core/data/Preprocess.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <vector>

namespace topiary {

class Evaluator {
public:
    using Progress = std::function<void(const EvaluationMetrics&)>;

    Evaluator(Dataset dataset, PreprocessSpec spec, EvaluationOptions options = {});

    const Dataset& dataset() const { return m_dataset; }
    const PreprocessSpec& spec() const { return m_spec; }
    const EvaluationOptions& options() const { return m_options; }

    // The dataset indices a run visits, in order.
    std::vector<int32_t> order() const;

    // Errors: preprocessing that does not fit the model, a model OpenCV cannot import or
    // run (naming the node and operator when OpenCV does), a label beyond the model's
    // outputs, a reference of another dataset. Undecodable images are skipped, not errors.
    Result<EvaluationResult> run(
        const onnx::ModelProto& model, const Progress& progress = {}, std::stop_token stop = {}) const;

private:
    Dataset m_dataset;
    PreprocessSpec m_spec;
    EvaluationOptions m_options;
};

} // namespace topiary
