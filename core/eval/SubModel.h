// Cutting a model in two at a set of tensors, so that evaluation can reuse the work done
// upstream of the first edited layer: the activations at the cut do not change when only
// layers at or after it change, so they are computed once (by the upstream sub-model)
// and every later plan runs only the downstream sub-model on them.
//
// A cut is a set of tensors that separates the graph inputs from the downstream nodes:
// every path from a graph input to them crosses a cut tensor. cutBefore() chooses one for
// a node of the topological order (the first changed layer); extractSubModel() builds the
// model that computes some tensors from others. Both sub-models keep the source's node,
// tensor and initializer names, pass onnx::checker and run in OpenCV.
#pragma once

#include "core/base/Error.h"
#include "core/model/TensorInfo.h"

#include <onnx/onnx_pb.h>

#include <span>
#include <string>
#include <vector>

namespace topiary {

class Model;
struct Layer;

struct Cut {
    int firstNode = -1; // Model::nodes() index the cut was chosen before
    // The cut tensors: graph inputs first, then by producer in topological order. Each
    // is a float activation computed from the graph inputs (never a constant).
    std::vector<std::string> tensors;
    // Their element types and shapes; -1 for dims that depend on symbolic input dims
    // (the batch), which the sub-models declare symbolic.
    std::vector<TensorInfo> infos;
    // Model::nodes() indices, ascending, of the nodes that compute the cut tensors. The
    // cached activations stay valid for any change that touches none of them.
    std::vector<int> upstreamNodes;

    // True when nothing upstream of the cut is at or after `firstChangedNode` (a
    // Model::nodes() index; -1 = nothing changed).
    bool validFor(int firstChangedNode) const;
};

// The cut just before node `node` of the topological order: the non-constant tensors
// produced by earlier nodes (or graph inputs) that nodes at or after it read. Tensors
// computed from constants only, and non-float tensors (shape arithmetic), are not cut:
// the nodes that make them move downstream and their own inputs are cut instead, so every
// cut tensor is a float activation OpenCV can hand out.
Result<Cut> cutBefore(const Model& model, int node);
// The cut before a layer (layers from findLayers(model), index as firstChangedLayer gives).
Result<Cut> cutBeforeLayer(const Model& model, const std::vector<Layer>& layers, int layer);

// Element type and shape of tensors of the model as the sub-models declare them: the
// index's types and shapes, with the dims that follow from symbolic input dims (which
// the index pins to 1) left at -1. An error for a tensor the index does not know.
Result<std::vector<TensorInfo>> tensorInfos(const Model& model, std::span<const std::string> names);

// The graph of `proto` that computes `outputs` from `inputs` and the initializers: the
// nodes needed (in topological order), only the initializers and value infos they use.
// An input declared by the proto (a graph input) keeps its declaration; others are
// declared from their TensorInfo (dims < 0 symbolic). Inputs no needed node reads are
// left out, so every input of the result is read. The same for outputs, with an info of
// elemType 0 meaning "as the proto declares it" (a graph output or value info).
// Errors: a needed tensor that comes from a graph input not among `inputs` (the cut does
// not separate), an input that is an initializer, an unknown tensor.
Result<onnx::ModelProto> extractSubModel(
    const onnx::ModelProto& proto, std::span<const TensorInfo> inputs, std::span<const TensorInfo> outputs);

// What runs after the cut: `proto` (the original, or apply()'s output, which keeps node
// and tensor names) from the cut tensors to its graph outputs (all, or the first
// `outputCount`). The cut infos type the new inputs.
Result<onnx::ModelProto> downstreamModel(const onnx::ModelProto& proto, const Cut& cut, int outputCount = -1);
// What runs before it: the model's graph inputs to the cut tensors that are not graph
// inputs themselves, as graph outputs in cut order. An error when every cut tensor is a
// graph input (there is nothing to run).
Result<onnx::ModelProto> upstreamModel(const onnx::ModelProto& proto, const Cut& cut);

} // namespace topiary
