// The walk behind findDependencyGroups: visits the graph in order, tracks which layers'
// filters each tensor's channel axis is made of (a Layout of source segments), joins
// sources that must be pruned together (OffsetUnionFind), records every node that touches
// the channels as a member, and marks sources that cannot be pruned with the reason.
// Split over ChannelCoupling.cpp (the walk, layers, norms, elementwise ops and the
// reasons), ChannelCouplingShapes.cpp (ops that move the channel axis: Concat, Flatten,
// Reshape, Transpose, Squeeze, Reduce, Slice, Shape, Softmax) and ChannelGroups.cpp
// (building the DependencyGroups from the joined sources). Internal to core/model.
#pragma once

#include "core/model/DependencyGroups.h"
#include "core/model/OffsetUnionFind.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace topiary {

class Model;
struct Layer;

namespace coupling {

// How a tensor's channel axis is made of sources.

struct Segment {
    int source = -1;
    int64_t begin = 0; // first channel of the source
    int64_t count = 0;
};

struct Layout {
    std::vector<Segment> segments; // along the channel axis, in order
    int axis = 1;
    int rank = 0;
    int64_t stride = 1; // elements per channel along the axis (> 1 after Flatten)

    int64_t channels() const
    {
        int64_t n = 0;
        for (const auto& s : segments)
            n += s.count;
        return n;
    }
    int axisFromEnd() const { return rank - axis; }
};

struct RawMember {
    MemberRole role;
    int node;
    int layer;
    int source;
    int64_t sourceBegin;
    int64_t count;
    int64_t offset;
    int64_t stride;
    std::vector<PrunedAxis> axes;
};

struct Source {
    int layer = -1;
    std::vector<std::string> reasons;
};

bool isUnaryPassThrough(const std::string& op);
bool isBinaryElementwise(const std::string& op);
bool isReduce(const std::string& op);

class ChannelCoupling {
public:
    ChannelCoupling(const Model& model, const std::vector<Layer>& layers);
    std::vector<DependencyGroup> run();

private:
    int newSource(int64_t channels, int layer);
    void poisonSource(int source, const std::string& why);
    void poison(const Layout& l, const std::string& why);
    const Layout* layout(const std::string& tensor) const;
    const std::vector<int64_t>* shapeOf(const std::string& tensor) const;
    bool isConstant(const std::string& tensor) const;
    // A tensor whose channels cannot be pruned: a graph input, or the output of a node the
    // analysis cannot see through. Tracked so that depthwise convs reading it have a group.
    void addFixedLayout(const std::string& tensor, const std::string& why);
    void addMembers(MemberRole role, int node, int layer, const Layout& l, const std::vector<PrunedAxis>& axes);
    std::string nodeText(int node) const;
    // Unknown territory: the inputs' channels cannot be pruned, the outputs are fixed.
    void opaque(int node, const std::string& why);
    void visit(int i);
    void visitLayer(int node, int li);
    // Channel i in, filter i, channel i out: the input's groups pass straight through. A
    // depthwise conv over several sources (after a Concat) puts them in one index space so
    // that the conv belongs to a single group.
    void visitDepthwise(int node, int li, const Layout& in);
    void visitNorm(int node);
    // The channel count must survive; everything else may change (pooling, Pad, Resize).
    bool channelsKept(const Layout& in, const std::string& outTensor) const;
    void visitUnary(int node);
    void visitElementwise(int node);
    // Channel t of a is channel t of b, for every t.
    void unify(int node, const Layout& a, const Layout& b);
    void visitConcat(int node);
    void visitFlatten(int node);
    void visitReshape(int node);
    void visitTranspose(int node);
    std::optional<std::vector<int64_t>> axesOf(int node, size_t inputIndex) const;
    void visitSqueeze(int node);
    void visitReduce(int node);
    void visitSplitOrSlice(int node);
    // Reading the shape is harmless unless the channel count is picked out of it.
    void visitShape(int node);
    void visitSoftmax(int node);
    std::vector<DependencyGroup> collect();

    const Model& m_model;
    const std::vector<Layer>& m_layers;
    std::unordered_map<int, int> m_layerOfNode;
    std::unordered_map<std::string, Layout> m_layouts;
    OffsetUnionFind m_uf;
    std::vector<Source> m_sources;
    std::vector<RawMember> m_members;
};

} // namespace coupling
} // namespace topiary
