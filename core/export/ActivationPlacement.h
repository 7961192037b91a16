// Where a plan's 8-bit activations are quantized in a graph: the tensors that get a
// QuantizeLinear -> DequantizeLinear pair, placed as ONNX Runtime's QDQ format needs them
// to run Conv, Gemm/MatMul, Add and pooling in its integer kernels (QLinearConv,
// QLinearMatMul, QLinearAdd, QLinearGlobalAveragePool, uint8 MaxPool):
//   - the data input of every layer whose ActivationSpec is 8-bit;
//   - the output of such a layer, and of an Add whose inputs are all quantized; when that
//     output only feeds a Relu or Clip, the pair goes on the output before it with the
//     activation's own range (so the integer kernel writes codes), and the Relu or Clip is
//     either dropped at export (uint8 codes clamp it already) or kept after the pair;
//   - through MaxPool, Flatten, Reshape and Concat (of tensors only) in both directions,
//     with one shared range on every data input and the output (they move codes, so ORT
//     needs equal scales on both sides: uint8 MaxPool, QLinearConcat copying codes); a
//     GlobalAveragePool or AveragePool whose input and output are both quantized gets its
//     own output range.
// Every site names the tensor whose calibrated range it uses (its `range`), so calibration
// taps exactly those tensors, and the evaluator simulates what the export writes.
#pragma once

#include "core/base/Error.h"

#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace topiary {

class Plan;

struct QdqSite {
    std::string tensor; // what QuantizeLinear reads
    std::string range; // the tensor whose calibrated range applies (the Relu/Clip output when fused)
    bool symmetric = false; // int8 symmetric, else uint8 asymmetric
    std::string activation; // a Relu or Clip node (by output name) right after `tensor`, "" if none

    bool operator==(const QdqSite&) const = default;
};

struct ActivationPlacement {
    std::vector<QdqSite> sites; // in graph order
    // Range tensors that must end with one range (their union): MaxPool, Flatten, Reshape,
    // Concat. Disjoint: groups that chain through a tensor are merged.
    std::vector<std::vector<std::string>> shared;

    // Distinct `range` tensors, in graph order: what calibration taps.
    std::vector<std::string> rangeTensors() const;
    bool empty() const { return sites.empty(); }
};

// Errors: a quantized layer the graph does not have.
Result<ActivationPlacement> placeActivations(const onnx::GraphProto& graph, const Plan& plan);

} // namespace topiary
