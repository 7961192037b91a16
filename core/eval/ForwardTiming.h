// How long a model's forward pass takes in OpenCV dnn on this machine: random inputs of
// the model's input shape at a batch, `warmup` runs untimed, then the median and the
// fastest of `runs` timed runs, with the OpenCV threads it ran on. For `topiary-cli bench
// --runtime opencv` and the window's timing of an exported file beside its original.
#pragma once

#include "core/base/Error.h"

#include <stop_token>

namespace topiary {

class Model;

struct ForwardTiming {
    int batch = 1;
    double medianMs = 0.0; // one forward pass of the whole batch
    double minMs = 0.0;
    int runs = 0;
    int threads = 1; // cv::getNumThreads() during the runs

    double medianMsPerImage() const { return medianMs / batch; }
};

struct ForwardTimingOptions {
    int batch = 1; // ignored when the model's batch dimension is fixed: that batch is used
    int runs = 20;
    int warmup = 3;
};

// Errors: the model has no input or its shape is not known, OpenCV cannot import or run it
// (e.g. 8-bit activations as QuantizeLinear on computed tensors), a stop ("cancelled").
Result<ForwardTiming> timeForward(const Model& model, const ForwardTimingOptions& options, std::stop_token stop = {});

// Whether the model's batch dimension is symbolic (any batch can be timed).
bool hasFreeBatch(const Model& model);

} // namespace topiary
