// One training run: fine-tuning that respects the plan (pruned weights stay zero,
// quantized weights train through fake quantization with a straight-through estimator),
// with cross-entropy and/or distillation from the original model, validation and a
// checkpoint after each epoch, and the result written as ONNX. Reports as JSON events
// (see app/train/README or the "type" of each event: started, progress, validation,
// checkpoint, done, stopped); errors are the returned value. No torch in this header.
#pragma once

#include "core/base/Error.h"
#include "train/TrainOptions.h"

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

} // namespace topiary::train
