// The unlabelled images recovery calibrates on: the first N of a dataset in a seeded
// pseudo-random order (Evaluator's order, so the same seed gives the same images), decoded
// and preprocessed once into one N x C x H x W float blob that every pass reuses.
// Memory: N · C · H · W · 4 bytes (256 images at 3x224x224: 154 MB).
#pragma once

#include "core/base/Error.h"
#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <stop_token>
#include <string>

namespace topiary {

class Model;

struct CalibrationImages {
    std::string inputName; // the model's image input
    cv::Mat blob; // N x C x H x W, CV_32F
    int64_t skipped = 0; // images that could not be decoded (left out, not errors)

    int64_t count() const { return blob.empty() ? 0 : blob.size[0]; }
};

// Errors: preprocessing that does not fit the model, count < 1, no decodable image.
Result<CalibrationImages> loadCalibrationImages(const Model& model, const Dataset& dataset,
    const PreprocessSpec& spec, int64_t count, uint64_t seed, std::stop_token stop = {});

} // namespace topiary
