// Analytic costs of a model, computed from shapes alone (no weights touched): per node
// params, MACs (conv+linear separately from all other ops), weight bytes, activation
// sizes, memory traffic, and the peak activation memory of a sequential execution.
// Definitions follow DESIGN.md; symbolic dims count as 1 (batch 1).
#pragma once

#include "core/model/Layer.h"

#include <cstdint>
#include <vector>

namespace topiary {

class Model;

struct NodeCost {
    int node = -1;              // index into Model::nodes()
    int layer = -1;             // index into layers(), -1 if the node is not a layer
    int64_t params = 0;         // layer weight+bias elements, or BN scale+shift
    int64_t linearMacs = 0;     // conv+linear multiply-accumulates (layers only)
    int64_t otherMacs = 0;      // pooling, elementwise, BN, activation MatMuls, ...
    int64_t weightBytes = 0;    // bytes of the params at their stored dtype
    int64_t outputElements = 0;
    int64_t outputBytes = 0;
    int64_t trafficBytes = 0;   // every input read + every output written
};

struct CostTotals {
    int64_t params = 0;
    int64_t linearMacs = 0;
    int64_t otherMacs = 0;
    int64_t weightBytes = 0;          // params only
    int64_t initializerBytes = 0;     // every initializer in the file
    int64_t activationBytes = 0;      // sum of all node outputs
    int64_t peakActivationBytes = 0;  // live tensors at the worst step, inputs included
    int64_t trafficBytes = 0;

    int64_t allMacs() const { return linearMacs + otherMacs; }
};

class CostModel {
public:
    explicit CostModel(const Model& model);

    const std::vector<Layer>& layers() const { return m_layers; }
    const std::vector<NodeCost>& nodes() const { return m_nodes; }  // one per model node
    const NodeCost& forLayer(int layer) const;
    const CostTotals& totals() const { return m_totals; }

private:
    std::vector<Layer> m_layers;
    std::vector<NodeCost> m_nodes;
    std::vector<int> m_layerNode;  // layer index -> m_nodes index
    CostTotals m_totals;
};

} // namespace topiary
