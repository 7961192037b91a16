// Image files on disk as datasets see them: which names count as images, a cheap check
// that OpenCV recognises a file's content, decoding, and the sample list that scanning a
// folder or reading a list produces.
#pragma once

#include "core/base/Error.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace topiary {

struct ImageSample {
    std::filesystem::path file;
    int label = -1; // -1: unlabelled
};

// What scanning a folder or reading a list found.
struct ImageSamples {
    std::vector<ImageSample> samples;
    std::vector<std::string> classNames; // label order; empty when labels are bare numbers or absent
    std::vector<std::string> skipped; // "<file>: <reason>" for image files left out
    int64_t ignoredFiles = 0; // files that are not images by name (README.txt, .DS_Store)
};

// True for the extensions cv::imread decodes (.png, .jpg, .jpeg, .bmp, .webp, .tif, .ppm, ...),
// case-insensitively.
bool hasImageExtension(const std::filesystem::path& file);

// Reads the file's first bytes: an error unless one of OpenCV's decoders recognises them.
// Catches non-images named like images (macOS "._x.jpg" files, empty or random files).
Result<void> checkImageSignature(const std::filesystem::path& file);

// Decodes to 8 bits per channel: 1 channel for grayscale files, 3 (BGR, OpenCV's order)
// otherwise; alpha is dropped and EXIF orientation ignored, as torchvision's PIL loader does.
Result<cv::Mat> decodeImage(const std::filesystem::path& file);

} // namespace topiary
