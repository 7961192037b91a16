// One training run: fine-tuning that respects the plan (pruned weights stay zero,
// quantized weights train through fake quantization with a straight-through estimator),
// with cross-entropy and/or distillation from the original model, validation and a
// checkpoint after each epoch, and the result written as ONNX. Reports as JSON events
// (see app/train/README or the "type" of each event: started, progress, validation,
// checkpoint, done, stopped); errors are the returned value. No torch in this header.
#pragma once

#include "core/base/Error.h"
#include "core/compress/TaylorScores.h"
#include "core/model/Model.h"
#include "train/GraphRunner.h"
#include "train/TrainOptions.h"
#include "train/TrainingSetup.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>

namespace topiary::train {

struct TrainEvents {
    std::function<void(const nlohmann::json&)> emit;
    const std::atomic<bool>* stop = nullptr; // set by another thread: end after this step
};

// The final "done" (or "stopped") event's contents.
Result<nlohmann::json> runTraining(const TrainOptions& options, const TrainEvents& events);

// The training loss with distillation, as the training steps compute it, on given logits
// ([batch, classes] each) and labels: its value and its gradient w.r.t. the student's
// logits. For checking against PyTorch's F.kl_div(..., reduction='batchmean') * T².
struct DistillationLossValue {
    double loss = 0.0;
    FloatTensor gradient;
};
Result<DistillationLossValue> distillationLossOf(
    const FloatTensor& student, const FloatTensor& teacher, const std::vector<int64_t>& labels, const Distillation& d);

// Taylor importance of every layer of `model` on the images, in consecutive batches of
// batchSize (the last one may be smaller): per batch, the gradient of the mean
// cross-entropy with the model in eval mode, |w · ∂L/∂w| accumulated per weight, then
// summed per filter. Layers whose weight the graph does not train are left out.
Result<TaylorScores> taylorImportance(
    const Model& model, const ImageSet& images, int batchSize, const TrainEvents& events = {});

// A "taylor" request: reads the data, computes the scores and returns the final event,
// {"type": "taylor", "scores": {taylorScoresToJson}, "seconds": S}.
Result<nlohmann::json> runTaylor(const TaylorOptions& options, const TrainEvents& events);

} // namespace topiary::train
