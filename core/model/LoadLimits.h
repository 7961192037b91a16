// Limits the loader enforces so that a hostile file cannot exhaust memory or time.
#pragma once

#include <cstdint>

namespace topiary {

struct LoadLimits {
    int64_t maxFileBytes = int64_t{4} << 30;        // the .onnx file itself
    int64_t maxTensorElements = int64_t{1} << 33;   // one tensor (8 G elements)
    int64_t maxTotalExternalBytes = int64_t{64} << 30;
    int64_t maxNodes = 1'000'000;
    bool runChecker = true;                          // onnx::checker on the loaded graph
    bool assumeBatchOne = true;                      // symbolic input dims set to 1 for shapes
};

} // namespace topiary
