// A list of labelled images in a text file, one "path,label" a line (comma-separated in
// .csv files, tab-separated in .tsv files; other names: tab if the line has one, else
// comma). Paths are relative to the list's folder unless absolute; fields may be quoted
// as in CSV ("a, b.png"). A label is a class index (>= 0), a class name, or empty / -1 for
// unlabelled; a line with only a path is unlabelled. Class names map to indices through
// `classNames` when given (the model's class order), else by sorted name as torchvision's
// ImageFolder does. An optional header ("path,label", "file,class", ...) is skipped, as are
// blank lines and lines starting with '#'. A malformed line is an error naming its number;
// missing or unreadable image files are skipped and listed.
#pragma once

#include "core/base/Error.h"
#include "core/data/ImageFiles.h"

#include <filesystem>
#include <string>
#include <vector>

namespace topiary {

inline constexpr int64_t kImageListMaxBytes = int64_t { 256 } << 20;

Result<ImageSamples> readImageList(
    const std::filesystem::path& listFile, const std::vector<std::string>& classNames = {});

} // namespace topiary
