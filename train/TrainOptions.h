// What one training run is asked to do, as topiary-train receives it in its "train"
// message: the model and the plan it respects, the data, the loss (cross-entropy and/or
// distillation from the original model), the optimizer and schedule, and where the
// result and the per-epoch checkpoints go. Parsed strictly: unknown fields and values
// out of range are errors naming the field.
#pragma once

#include "core/base/Error.h"
#include "core/data/Preprocess.h"
#include "core/plan/Recipe.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace topiary::train {

enum class OptimizerKind { Sgd, Adam };
enum class Schedule { Cosine, Constant };

struct Distillation {
    double temperature = 4.0; // soften both outputs by T; the KL term is scaled by T²
    double alpha = 0.5; // weight of the distillation term; 1 - alpha weighs cross-entropy

    bool operator==(const Distillation&) const = default;
};

struct TrainOptions {
    std::string model; // the original .onnx file
    std::optional<Recipe> recipe; // the plan to respect (none: plain fine-tuning)
    std::string trainData; // IDX file, image folder or list, as eval reads them
    std::string valData; // held out; "" = no validation
    std::optional<PreprocessSpec> preprocess; // none: chosen as eval chooses it
    int64_t trainLimit = 0; // use a seeded random subset of this many images (0 = all)
    int64_t valLimit = 0;

    int epochs = 1; // per round
    int rounds = 1; // iterative pruning: prune a little, fine-tune, prune more (cubic schedule)
    int batchSize = 64;
    OptimizerKind optimizer = OptimizerKind::Sgd;
    double learningRate = 0.01;
    double momentum = 0.9; // SGD
    double weightDecay = 0.0;
    Schedule schedule = Schedule::Cosine; // per step, from learningRate down to 0
    uint64_t seed = 1;
    int threads = 1;
    int augmentPad = 0; // random crop after padding by this many pixels (0 = off)
    bool augmentFlip = false; // random horizontal flip
    std::optional<Distillation> distillation;
    double divergenceFactor = 10.0; // stop when the smoothed loss exceeds this × max(first loss, ln classes)

    std::string output; // the fine-tuned .onnx
    bool shrink = false; // export structure, as topiary-cli apply
    bool int8Qdq = false;
    bool float16 = false;
    std::string checkpointDir; // "" = beside the output, "<stem>.epoch<N>.onnx"
    // A checkpoint of an earlier run with the same model, data and batch to continue
    // from: its .onnx (the state beside it, "<stem>.epoch<N>.state", holds the float
    // weights, the optimizer's momentum and where the run was). "" = start afresh.
    std::string resume;

    bool operator==(const TrainOptions&) const = default;
};

nlohmann::json trainOptionsToJson(const TrainOptions& options);
Result<TrainOptions> trainOptionsFromJson(const nlohmann::json& json);

// A "taylor" request: Taylor importance (core/compress/TaylorScores.h) of every layer,
// from the gradients of the cross-entropy on `batches` batches of labelled images (a
// seeded random subset of the data), the model in eval mode.
struct TaylorOptions {
    std::string model;
    std::string data;
    std::optional<PreprocessSpec> preprocess; // none: chosen as eval chooses it
    int batches = 16;
    int batchSize = 32;
    uint64_t seed = 1;
    int threads = 1;

    bool operator==(const TaylorOptions&) const = default;
};

nlohmann::json taylorOptionsToJson(const TaylorOptions& options);
Result<TaylorOptions> taylorOptionsFromJson(const nlohmann::json& json);

} // namespace topiary::train
