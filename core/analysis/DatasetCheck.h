// A first look at a dataset through a model, for the Dataset dialog: the unmodified
// model's top-1 on a sample of the images, a few preprocessed images with their labels
// and the model's predictions, and whether the accuracy is near chance, which almost
// always means the preprocessing (size, scale, mean/std, channel order, class order) is
// not the one the model was trained with. Synchronous: the GUI runs it on a worker thread
// and can stop it through the stop token.
#pragma once

#include "core/base/Error.h"
#include "core/base/Estimate.h"
#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/eval/EvaluationResult.h"

#include <onnx/onnx_pb.h>
#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

namespace topiary {

struct PreviewSample {
    size_t index = 0; // in the dataset
    std::string name; // the file, or "<idx file>[i]"
    int label = -1; // -1: unlabelled
    int predicted = -1; // the model's top-1 class; -1 when the image was not run
    cv::Mat image; // after the preprocessing's geometry: height x width, 8-bit, 1 or 3 channels (BGR)
};

struct DatasetCheckOptions {
    int64_t limit = 300; // images run for the accuracy (0 = all)
    int previews = 8;
};

struct DatasetCheck {
    EvaluationMetrics metrics; // of the unmodified model on `limit` images
    std::vector<PreviewSample> previews; // the first images the evaluation visited
    std::vector<std::string> skipped; // "<file>: <reason>" for images that failed to decode
    double chance = 0.0; // 1 / classes, 0 when unknown
    bool nearChance = false;
    std::string verdict; // a plain sentence about the accuracy, "" when unlabelled
};

// True when a top-1 estimate is closer to guessing than a working model gets: below
// chance + 15 % of the way from chance to 100 % (23.5 % for 10 classes, 57.5 % for 2,
// 15.1 % for 1000). The sample model reads 19.8 % with pixels only divided by 255, 91.9 %
// with its own normalisation. Needs at least 20 labelled images and 2 classes.
bool isNearChance(const Estimate& top1, int classes);

// Errors: the evaluator's (preprocessing that does not fit, a model OpenCV cannot run).
Result<DatasetCheck> checkDataset(const onnx::ModelProto& model, const Dataset& dataset, const PreprocessSpec& spec,
    const DatasetCheckOptions& options = {}, std::stop_token stop = {});

} // namespace topiary
