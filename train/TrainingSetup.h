// Everything a training run needs that is not torch: the original model and the plan,
// what the plan prunes (a keep-mask per weight tensor, so pruned weights stay zero) and
// quantizes (weights that train through fake quantization), the images decoded and
// preprocessed once, and the way back: trained tensors written into the original model
// and the plan applied again with the same selection, so the file has the structure of
// the export the user chose (masked, shrunk, int8 QDQ, float16).
#pragma once

#include "core/base/Error.h"
#include "core/compress/PruneSelection.h"
#include "core/export/Apply.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/plan/CompressionSpec.h"
#include "core/plan/Plan.h"
#include "train/GraphRunner.h"
#include "train/TrainOptions.h"

#include <nlohmann/json.hpp>
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace topiary::train {

// Images as one N x C x H x W float block and their labels.
struct ImageSet {
    std::vector<float> pixels;
    std::vector<int64_t> labels;
    int64_t channels = 0, height = 0, width = 0;
    int64_t count = 0;
    int64_t skipped = 0; // images that could not be decoded
    std::string description;
    size_t floatsPerImage() const { return static_cast<size_t>(channels * height * width); }
};

// Pruned entries of one weight tensor (0 = pruned, stays zero), in the tensor's layout.
struct WeightMask {
    std::vector<int64_t> shape;
    std::vector<uint8_t> keep;
};

// A weight the plan quantizes: its forward pass reads quantize(w) (straight-through).
struct QuantizedWeight {
    std::vector<int64_t> shape;
    int64_t channelAxis = 0;
    QuantSpec spec;
};

class TrainingSetup {
public:
    // Loads the model, checks and applies the plan (without quantization: the weights
    // train in float, quantized in the forward pass), reads the data. When the plan asks
    // for recovery (its "recovery" section), the student starts from the recovered
    // weights (core/recover, calibrated on the section's source or else the training
    // images), the teacher stays the original. progress: what it is doing, for the user.
    static Result<TrainingSetup> prepare(
        const TrainOptions& options, const std::function<void(const std::string&)>& progress);

    const TrainOptions& options() const { return m_options; }
    const onnx::ModelProto& studentProto() const { return m_student; } // masked, float weights
    const onnx::ModelProto& teacherProto() const { return m_original.proto(); }
    const Model& original() const { return m_original; }
    const std::map<std::string, WeightMask>& masks() const { return m_masks; }
    const std::map<std::string, QuantizedWeight>& quantized() const { return m_quantized; }
    const ImageSet& trainImages() const { return m_train; }
    const ImageSet& valImages() const { return m_val; }
    int64_t maskedWeights() const; // pruned entries over all masks

    // Iterative pruning (options().rounds > 1): round r of R prunes the plan's ratios times
    // 1 - (1 - r/R)³, selected on the weights trained so far (by initializer name; empty =
    // the original's). Recomputes the student, masks and quantized weights; round 1 is
    // started by prepare().
    Result<void> startRound(int round, const std::map<std::string, FloatTensor>& trained);
    int round() const { return m_round; }
    const Plan& plan() const { return m_plan; } // this round's

    // Writes the trained tensors (by initializer name) into the original model, applies
    // the plan with the export options and the same selection, adds the recipe,
    // `training` and the preprocessing the images were trained with (unless the original
    // carries one) as metadata and writes `target` atomically. Returns the names of
    // trained tensors the original model has no initializer for (they could not be kept).
    Result<std::vector<std::string>> exportTrained(const std::map<std::string, FloatTensor>& tensors,
        const nlohmann::json& training, const std::filesystem::path& target) const;

private:
    Result<void> recoverBeforeTraining(const std::function<void(const std::string&)>& progress);
    TrainingSetup(TrainOptions options, Model original);
    // The original with these tensors in place of its initializers of the same names;
    // names it has no float initializer of the same size for go to `lost`.
    Result<Model> withTrained(
        const std::map<std::string, FloatTensor>& tensors, std::vector<std::string>* lost = nullptr) const;
    TrainOptions m_options;
    Model m_original;
    Plan m_finalPlan; // the recipe's
    Plan m_plan; // this round's
    int m_round = 1;
    std::vector<Layer> m_layers;
    std::vector<DependencyGroup> m_groups;
    PruneSelection m_selection;
    onnx::ModelProto m_student;
    std::map<std::string, WeightMask> m_masks;
    std::map<std::string, QuantizedWeight> m_quantized;
    ImageSet m_train, m_val;
    PreprocessSpec m_preprocess; // what the images were preprocessed with
    ConstantValues m_recovered; // the student's starting weights where recovery repaired them
};

// Decodes and preprocesses up to `limit` images (0 = all; a seeded random subset when
// fewer than the dataset holds) into one block. Unlabelled datasets are an error.
Result<ImageSet> loadImages(
    const std::filesystem::path& path, const PreprocessSpec& spec, int64_t limit, uint64_t seed);

} // namespace topiary::train
