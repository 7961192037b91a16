// topiary-cli bench MODEL: the latency of a model file in a runtime (OpenCV dnn in
// process, or ONNX Runtime through node and tests/ort/bench.js), per image at batch 1 and
// at the evaluation batch: the median of repeated runs after warm-up, threads stated.
#pragma once

#include <string>
#include <vector>

namespace topiary::cli {

int benchCommand(const std::vector<std::string>& args);

} // namespace topiary::cli
