// Reader for the IDX files of the MNIST family (MNIST, Fashion-MNIST, KMNIST, EMNIST):
// images (magic 0x00000803: count × rows × columns unsigned bytes) and labels (magic
// 0x00000801: count unsigned bytes), plain or gzipped. Compression is recognised from the
// content, not the name. The header is not trusted: its dims must fit the limit and the
// data must be exactly as long as they say, so a lying header is an error, never a huge
// allocation or a read past the end.
#pragma once

#include "core/base/Error.h"

#include <cstdint>
#include <filesystem>
#include <vector>

namespace topiary {

inline constexpr int64_t kIdxMaxBytes = int64_t { 4 } << 30;

struct IdxImages {
    int64_t count = 0;
    int64_t rows = 0;
    int64_t cols = 0;
    std::vector<uint8_t> pixels; // count × rows × cols, row-major
};

Result<IdxImages> readIdxImages(const std::filesystem::path& file, int64_t maxBytes = kIdxMaxBytes);
Result<std::vector<uint8_t>> readIdxLabels(const std::filesystem::path& file, int64_t maxBytes = kIdxMaxBytes);

// The labels file that goes with an images file by the MNIST naming convention
// ("train-images-idx3-ubyte[.gz]" -> "train-labels-idx1-ubyte[.gz]"), if it exists; empty otherwise.
std::filesystem::path idxLabelsFileFor(const std::filesystem::path& imagesFile);

} // namespace topiary
