// Progress and cancellation for a long apply() (codebooks and SVDs of large layers take
// seconds): the GUI's export shows how far it is and can stop before anything is written.
#pragma once

#include "core/base/Error.h"

#include <functional>
#include <stop_token>

namespace topiary {

class Model;
class Plan;
struct AppliedModel;
struct ApplyOptions;
struct PruneSelection;

// progress(done, total) after each step, total being fixed for the run (two steps per
// layer and three more); a stop request ends the run at the next step with the error
// kApplyStopped. Neither changes what a run that is not stopped produces.
struct ApplyControl {
    std::function<void(int done, int total)> progress;
    std::stop_token stop;
};
inline constexpr const char* kApplyStopped = "stopped before the model was complete";

// apply() (core/export/Apply.h) with progress and a stop request.
Result<AppliedModel> apply(const Model& model, const Plan& plan, const ApplyOptions& options,
    const PruneSelection* selection, const ApplyControl& control);

} // namespace topiary
