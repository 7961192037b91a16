// Channels that must be pruned together. Removing filter i of a conv also removes channel
// i from its BatchNorm, from the input of every layer that reads it (through activations,
// pooling, Pad, Flatten...), from the other side of a residual Add or an SE block's Mul,
// and, through a depthwise conv, that conv's filter i and its output channel i. Concat
// shifts channel indices by an offset; Flatten before a Gemm widens each channel to H·W
// columns. A group is the closure of these couplings; filter pruning always works on a
// whole group, so an exported model stays valid. The analysis only describes the groups:
// it never touches weights (the shrink pass does, from these descriptions).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace topiary {

class Model;
struct Layer;

// One axis of a constant tensor (an initializer, or a Constant node's output, Identity
// chains resolved) that loses the pruned channels of a member. Exporters deduplicate
// equal initializers (vgg16's and squeezenet's zero biases are shared between layers), so
// a tensor may be named by several members or read by nodes outside the group: the
// shrink pass must give such a tensor its own copy before cutting it.
struct PrunedAxis {
    std::string tensor;
    int axis = 0;

    bool operator==(const PrunedAxis&) const = default;
};

enum class MemberRole {
    Producer, // a layer whose filters (output channels) make the group's channels
    Depthwise, // a depthwise conv the channels pass through: filter i and output channel i
               // go, and its `group` attribute must become the new channel count
    Consumer, // a layer whose input channels are the group's channels
    Norm, // BatchNormalization / InstanceNormalization: every per-channel parameter
    Elementwise, // Mul/Add/Sub/Div/PRelu... with a per-channel constant operand
    Reshape, // a Reshape whose constant shape holds the channel count (or channels·H·W)
             // literally: the shrink pass must recompute that entry; no axis loses indices
};

const char* memberRoleName(MemberRole role);

// A node touched by the group. Group channel k, for k in [groupBegin, groupBegin+count),
// is this member's channel m = offset + (k - groupBegin), which spans the indices
// [m·stride, (m+1)·stride) of every axis in `axes` (stride > 1 only after a Flatten:
// a Gemm reading a flattened C x H x W tensor has H·W columns per channel).
struct GroupMember {
    MemberRole role = MemberRole::Producer;
    int node = -1; // index into Model::nodes()
    int layer = -1; // index into the layers vector; -1 for nodes that are not layers
    int64_t groupBegin = 0;
    int64_t count = 0;
    int64_t offset = 0;
    int64_t stride = 1;
    std::vector<PrunedAxis> axes;

    bool covers(int64_t groupChannel) const { return groupChannel >= groupBegin && groupChannel < groupBegin + count; }
    int64_t channelOf(int64_t groupChannel) const { return offset + (groupChannel - groupBegin); }
    // Sorted indices the member's axes lose when these group channels are pruned.
    std::vector<int64_t> prunedIndices(std::span<const int64_t> groupChannels) const;

    bool operator==(const GroupMember&) const = default;
};

// A tensor (activation) whose channel axis carries some of the group's channels: group
// channels [groupBegin, groupBegin+count) are its channels offset.. on an axis of
// `channels` entries in all. Cost estimates scale a tensor's size by its kept channels.
struct GroupTensor {
    std::string tensor;
    int64_t groupBegin = 0;
    int64_t count = 0;
    int64_t offset = 0;
    int64_t channels = 0;

    bool operator==(const GroupTensor&) const = default;
};

struct DependencyGroup {
    int64_t channels = 0; // size of the group's channel index space
    std::vector<GroupMember> members; // ordered by node, then groupBegin
    std::vector<GroupTensor> tensors; // ordered by name, then offset
    std::vector<int> producers; // layers of Producer and Depthwise members, ascending
    std::vector<int> consumers; // layers of Consumer members, ascending
    std::vector<int> norms; // nodes of Norm members, ascending
    bool prunable = true;
    std::string reason; // why not, when !prunable

    // Members whose filters carry importance scores (Producer and Depthwise).
    std::vector<const GroupMember*> scoredMembers() const;
};

// Every group that has at least one layer among its producers, ordered by the first
// producer's position in the graph. Channels that come from a graph input or from a
// node the analysis cannot see through are grouped too (as not prunable) when a
// depthwise conv passes them on.
std::vector<DependencyGroup> findDependencyGroups(const Model& model, const std::vector<Layer>& layers);

// For each layer, the group it produces channels for (as Producer or Depthwise), or -1.
std::vector<int> producerGroupOfLayers(const std::vector<DependencyGroup>& groups, size_t layerCount);
int producerGroupOf(const std::vector<DependencyGroup>& groups, int layer);

enum class ScoreReduction { Sum, Mean, Max };

// One score per group channel from per-layer filter scores (keyed by layer name): the
// scores of every scored member covering that channel, reduced. Members without scores
// are skipped; a channel no member scores gets 0.
std::vector<float> groupScores(const DependencyGroup& group, const std::vector<Layer>& layers,
    const std::map<std::string, std::vector<float>>& layerScores, ScoreReduction reduction = ScoreReduction::Mean);

// Kept channels rounded up to a multiple of `multiple` (hardware-friendly widths), never
// above `total` and never below one multiple (or `total` if smaller). multiple <= 1 keeps
// `kept` as is (but at least 1).
int64_t roundKeptChannels(int64_t total, int64_t kept, int64_t multiple);

// One line per group: producers, channels, member counts, and the reason when not prunable.
std::string describeGroup(const DependencyGroup& group, const std::vector<Layer>& layers);

} // namespace topiary
