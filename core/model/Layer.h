// A layer is what the user edits: a node that carries weights (Conv incl. grouped and
// depthwise, ConvTranspose, Gemm, MatMul with a constant operand), with the
// BatchNormalization that directly follows it, if any.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace topiary {

class Model;

enum class LayerKind { Conv, ConvTranspose, Gemm, MatMul };

struct Layer {
    int node = -1;             // index into Model::nodes()
    std::string name;          // the node's name
    LayerKind kind = LayerKind::Conv;
    std::string weight;        // initializer holding the weights (Identity chains resolved)
    std::string bias;          // initializer holding the bias, "" if none
    std::vector<int64_t> weightShape;
    int64_t group = 1;
    int64_t outChannels = 0;   // filters (Conv), output features (Gemm/MatMul)
    int64_t inChannels = 0;    // input channels (all groups), input features
    std::vector<int64_t> kernel;  // spatial kernel dims (empty for Gemm/MatMul)
    bool weightTransposed = false;  // Gemm transB=0 / MatMul: weight stored K x N
    int batchNorm = -1;        // node index of the attached BatchNormalization, -1 if none
    std::string output;        // the layer's own output tensor (before its BN)

    bool isDepthwise() const { return kind == LayerKind::Conv && group > 1 && group == inChannels; }
};

const char* layerKindName(LayerKind kind);

// All layers in topological order.
std::vector<Layer> findLayers(const Model& model);

} // namespace topiary
