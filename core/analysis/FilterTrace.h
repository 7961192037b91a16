// Where one filter's removal goes: every node that loses something when filter f of a
// layer is pruned (its BatchNorm channel, the input channel of each consumer, the filter
// of each residual partner, the channel of each tensor on the way), in the order a
// teacher would show them. The couplings come from the layer's DependencyGroup; this
// only follows them for one channel and measures how far each node is from the filter.
#pragma once

#include "core/model/DependencyGroups.h"
#include "core/base/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace topiary {

class Model;
struct Layer;

enum class TraceRole {
    Filter, // the traced layer: filter f goes
    Partner, // another producer of the same channels (the other branch of a residual Add): its filter goes too
    Depthwise, // a depthwise conv the channel passes through: its filter and output channel go
    Norm, // BatchNorm / InstanceNorm: the channel's scale, shift, mean and variance go
    Consumer, // a layer reading the channel: its input channel (or H·W columns after Flatten) go
    Elementwise, // Mul/Add/PRelu... with a per-channel constant: that constant's entry goes
    Reshape, // a Reshape whose literal shape holds the channel count: the entry shrinks
    PassThrough, // an op without weights (Relu, Add, MaxPool, Concat, Flatten...): its output channel goes
};

const char* traceRoleName(TraceRole role);

// An activation tensor that carries the traced channel, and which channel it is there.
struct TraceTensor {
    std::string tensor;
    int64_t channel = 0; // after Concat offsets
    int64_t channels = 0; // of the tensor's channel axis

    bool operator==(const TraceTensor&) const = default;
};

struct TraceStep {
    int node = -1; // index into Model::nodes()
    int layer = -1; // index into the layers vector, -1 for nodes that are not layers
    TraceRole role = TraceRole::PassThrough;
    // Graph distance (undirected node hops along the tensors that carry the channel) from
    // the traced layer: steps with equal hops happen "at the same time".
    int hop = 0;
    // The node the channel arrives from, one hop closer to the traced layer (a tensor
    // joins the two); -1 for the traced layer itself.
    int from = -1;
    // The index this node loses: a filter (Filter, Partner, Depthwise), a channel (Norm,
    // Elementwise, PassThrough), an input channel or column range (Consumer). end - begin
    // is the stride after a Flatten (H·W columns per channel), else 1. Reshape: the
    // channel in the flattened layout whose count shrinks.
    int64_t begin = 0;
    int64_t end = 0;
    int64_t channel = 0; // the node's own channel index (begin / stride)
    std::vector<PrunedAxis> axes; // constant tensors that lose [begin, end) on these axes
    // Activations carrying the channel here: outputs, or for a Consumer its input.
    std::vector<TraceTensor> tensors;
    std::string description; // one English sentence, for the core and the CLI
};

struct FilterTrace {
    int layer = -1;
    int64_t filter = 0;
    int group = -1; // index into the groups passed in
    int64_t groupChannel = 0;
    bool prunable = true;
    std::string reason; // the group's, when !prunable
    std::vector<TraceStep> steps; // by hop, then node; steps[0] is the traced layer itself
};

// The trace of filter `filter` of layer `layer`. groups is findDependencyGroups(model,
// layers). Errors when the layer or filter index is out of range or the layer's filters
// belong to no group (e.g. a layer the analysis could not see through).
Result<FilterTrace> traceFilter(const Model& model, const std::vector<Layer>& layers,
    const std::vector<DependencyGroup>& groups, int layer, int64_t filter);

} // namespace topiary
