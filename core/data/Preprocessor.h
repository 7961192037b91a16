// Turns decoded images into a model's input blob by a PreprocessSpec (see Preprocess.h for
// the steps and how they follow torchvision). Holds the checked spec and a lookup table per
// channel, so writing an image costs one table read per value. Immutable: one instance may
// serve several threads.
#pragma once

#include "core/base/Error.h"
#include "core/data/Preprocess.h"

#include <opencv2/core/mat.hpp>

#include <vector>

namespace topiary {

// Input images are 8-bit with 1 or 3 channels (BGR), as Dataset::image() gives them.
class Preprocessor {
public:
    static Result<Preprocessor> create(const PreprocessSpec& spec);

    const PreprocessSpec& spec() const { return m_spec; }
    size_t floatsPerImage() const;

    // The image after colour conversion, resize and crop: height x width, 8-bit, channels
    // 1 or 3 (still BGR). Exposed for tests and previews.
    Result<cv::Mat> geometry(const cv::Mat& image) const;
    // Writes channels x height x width floats at `out` (one image of an NCHW blob).
    Result<void> write(const cv::Mat& image, float* out) const;
    // A 1 x C x H x W blob.
    Result<cv::Mat> blob(const cv::Mat& image) const;

private:
    explicit Preprocessor(PreprocessSpec spec);
    PreprocessSpec m_spec;
    std::vector<std::vector<float>> m_lut; // per model channel: the float for each byte value
};

} // namespace topiary
