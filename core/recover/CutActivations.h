// The calibration images' activations at a cut of the model (the tensors that separate the
// inputs from the nodes not yet run), kept for every image, so that recovery runs each
// node about twice whatever the depth: a layer's repair runs only the nodes between the
// cut and that layer, then the cut moves on past it. Without it every repair reran the
// model from the images (cost ~ depth²). A cut whose activations would exceed the budget
// is not taken: the cached cut stays, and later passes start from there.
//
// A cut's activations stay valid as long as nothing upstream of it changes, which holds
// for recovery: it repairs layers in topological order and moves the cut only past
// layers already repaired. Two caches, the compressed model's and the original's, give a
// refit its inputs and targets batch by batch in step (same images, same batches).
#pragma once

#include "core/base/Error.h"
#include "core/eval/OpenCvNet.h"
#include "core/eval/SubModel.h"
#include "core/recover/CalibrationImages.h"

#include <onnx/onnx_pb.h>
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace topiary {

class Model;

class CutActivations {
public:
    // Starts at the model's image input (the images themselves, in batches of
    // `batchSize`, or of the model's fixed batch, the last one padded with zeros).
    static Result<CutActivations> create(const Model& original, const CalibrationImages& images, int batchSize);

    // One pass from the cut to some tensors of `proto` (the original, or apply()'s output,
    // which keeps names and shapes): forward(b) gives batch b's tensors (CV_32F, batch
    // first, padded rows included), in the order asked.
    class Pass {
    public:
        Result<std::vector<cv::Mat>> forward(size_t batch);

    private:
        friend class CutActivations;
        Pass(const CutActivations& cache)
            : m_cache(&cache)
        {
        }
        const CutActivations* m_cache;
        std::optional<OpenCvNet> m_net; // none when every tensor asked for is a cut tensor
        std::vector<size_t> m_feed; // per net input: index among the cut tensors
        std::vector<int> m_fromCut; // per tensor asked: index among the cut tensors, or -1
        std::vector<size_t> m_fromNet; // per tensor asked: index among the net's outputs
    };
    Result<Pass> pass(const onnx::ModelProto& proto, const std::vector<std::string>& tensors) const;

    // Moves to `cut` (downstream of the current one), computing its tensors with `proto`.
    // False, the cache unchanged, when they would take more than `budget` bytes or have
    // shapes the index does not know.
    Result<bool> advance(const onnx::ModelProto& proto, const Cut& cut, int64_t budget, std::stop_token stop = {});

    size_t batches() const { return m_counts.size(); }
    int batchSize() const { return m_batch; } // images per batch (the last may have fewer)
    int count(size_t batch) const { return m_counts[batch]; } // real images in it (no padding)
    int64_t firstImage(size_t batch) const { return m_first[batch]; }
    const std::vector<std::string>& tensors() const { return m_tensors; }
    int64_t bytes() const; // held for the cut (the images' blob itself not counted)

private:
    CutActivations() = default;
    const Model* m_model = nullptr;
    int64_t m_images = 0;
    int64_t m_fixedBatch = -1;
    int m_batch = 1;
    std::vector<std::string> m_tensors;
    std::vector<TensorInfo> m_infos; // how sub-models declare them as inputs
    std::vector<int> m_counts;
    std::vector<int64_t> m_first;
    std::vector<std::vector<cv::Mat>> m_values; // [batch][tensor]
    bool m_atImages = true;
};

} // namespace topiary
