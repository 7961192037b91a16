// Rewrites exporter quirks that OpenCV 4.6's ONNX importer rejects (Identity on weights,
// Clip bounds as inputs, shape arithmetic on static shapes, ...) into equivalent forms it
// accepts. The result is only ever handed to OpenCV; the original model is left untouched.
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>

#include <span>

namespace topiary {

struct OpenCvPass {
    const char* name;
    void (*run)(onnx::ModelProto&);
};

// The passes canonicalizeForOpenCv runs, in order.
std::span<const OpenCvPass> openCvPasses();

Result<onnx::ModelProto> canonicalizeForOpenCv(const onnx::ModelProto& original);

} // namespace topiary
