// The shrink pass: physically removes filter-pruned channels from a ModelProto, through
// every member of their dependency groups (producer filters and biases, BatchNorm
// parameters, per-channel constants of elementwise ops, depthwise filters and `group`
// attributes, consumers' input channels with Flatten strides, literal channel counts in
// Reshape shapes). Works on the tensors the groups name, so the proto must still have the
// source model's node and initializer names (apply() masks and quantizes in place first).
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace topiary {

class Model;
struct DependencyGroup;
struct Layer;
struct PruneSelection;

// Which indices left which axis of which initializer, so later passes (QDQ export of
// per-channel scales) can cut their own per-channel data the same way.
struct RemovedIndices {
    int axis = 0;
    std::vector<int64_t> indices; // sorted, as indices of the tensor before shrinking
};
using ShrinkRecord = std::map<std::string, std::vector<RemovedIndices>>;

// proto: a copy of model.proto() (possibly with masked/quantized initializer values).
// Stale value_info shapes are dropped, so ONNX shape inference recomputes them.
Result<ShrinkRecord> shrinkChannels(onnx::ModelProto& proto, const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, const PruneSelection& selection);

} // namespace topiary
