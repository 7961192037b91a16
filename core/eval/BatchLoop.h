// The one batch loop of evaluation, shared by the full evaluator and the incremental one:
// it walks the visiting order, gathers each batch (decoding and preprocessing the images
// of the positions that need them, skipping undecodable ones), asks its source for the
// batch's class scores, tallies them and reports progress; a stop request returns what is
// tallied so far, marked cancelled, within one image or one forward pass.
//
// A source decides, per position, whether the sample needs its image (a full run: always;
// an incremental run: not when its activations at the cut are cached) and runs the model
// on the batch. A batch never mixes the two kinds, so a source sees either images or
// positions it holds activations for.
#pragma once

#include "core/base/Error.h"
#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/data/Preprocessor.h"
#include "core/eval/EvaluationResult.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace topiary {

struct Batch {
    size_t begin = 0; // positions of the order this batch covers, skipped ones included
    size_t end = 0;
    std::vector<size_t> positions; // of the members, ascending
    std::vector<int32_t> members; // their dataset indices
    int fed = 0; // rows to feed: members, or the model's fixed batch (zero rows after the members)
    bool decoded = false; // images holds the members' preprocessed images
    cv::Mat images; // fed x C x H x W when decoded
};

class BatchSource {
public:
    virtual ~BatchSource() = default;
    // True when the sample at `position` of the order must be decoded for this run.
    virtual bool needsImage(size_t position) const = 0;
    // For a position that needs no image: the message of its image's earlier failure to
    // decode, or null when the source holds its activations.
    virtual const std::string* skippedBefore(size_t position) const = 0;
    // An image that could not be decoded or preprocessed in this run.
    virtual void skipped(size_t position, const std::string& problem) = 0;
    // The class scores of the batch's `fed` rows; adds the forward passes' time to `seconds`.
    virtual Result<cv::Mat> forward(const Batch& batch, double& seconds) = 0;
};

struct BatchLoopSetup {
    const Dataset& dataset;
    const PreprocessSpec& spec;
    const EvaluationOptions& options;
    const std::vector<int32_t>& order;
    int batch = 1;
    bool fixedBatch = false; // feed exactly `batch` rows, padding the last batch
};

using BatchProgress = std::function<void(const EvaluationMetrics&)>;

Result<EvaluationResult> runBatches(
    const BatchLoopSetup& setup, BatchSource& source, const BatchProgress& progress, std::stop_token stop);

} // namespace topiary
