// An OpenCV net built once and then pointed at variants of its model that differ only in
// the values of Conv, Gemm and MatMul weights and biases: the points of a sensitivity sweep, the
// plans of a slider drag (masked pruning and simulated quantization keep every node and
// shape). Canonicalizing, serializing and importing a net per variant costs more than
// running a small downstream sub-model on a thousand images; writing the new values into
// the net's own weight blobs and letting OpenCV set the net up again (it folds BatchNorm
// into the convolutions from those blobs each time) costs a copy of the changed weights.
//
// Which blob holds which initializer is found once, by content: an initializer that
// canonicalization passes through unchanged and that exactly one blob equals, of a layer
// that reads it again when set up (a Convolution's weights and bias; an InnerProduct's
// weights when their rows need no padding, see the .cpp). A variant that changes anything
// else (another initializer, a node, a shape) is not swappable: swapTo() says so and
// leaves the net as it was, and the caller builds a net for it. Not thread-safe.
#pragma once

#include "core/base/Error.h"
#include "core/eval/OpenCvNet.h"

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace topiary {

class SwappableNet {
public:
    // Canonicalizes and imports `model` (as OpenCvNet::create) and finds the weight blobs.
    static Result<SwappableNet> create(const onnx::ModelProto& model);

    OpenCvNet& net() { return m_net; }
    // Initializers whose values swapTo() can change, by name (for tests and profiles).
    std::vector<std::string> swappable() const;

    // Makes the net compute `variant`. False, with the net unchanged, when the variant
    // differs from the model it was created from in anything but swappable values.
    Result<bool> swapTo(const onnx::ModelProto& variant);

private:
    struct Slot {
        cv::Mat blob; // shares the net's memory
        std::vector<float> original;
    };

    explicit SwappableNet(OpenCvNet net)
        : m_net(std::move(net))
    {
    }
    Result<void> findSlots(const onnx::ModelProto& model, const onnx::ModelProto& canonical);
    static void write(Slot& slot, const std::vector<float>& values);

    OpenCvNet m_net;
    uint64_t m_structure = 0; // nodes, inputs, outputs, initializer names, types and shapes
    std::map<std::string, Slot> m_slots;
    // Every other initializer: a 64-bit hash of its values, to tell a variant that changes
    // one (plans change a handful of tensors; keeping a copy of every value would double
    // the memory of a large model for a 2^-64 chance).
    std::map<std::string, size_t> m_fixed;
    std::set<std::string> m_changed; // slots that hold other values than the model's now
};

} // namespace topiary
