// What a dataset holds, counted for people: images read, images skipped (with each
// file and reason), and images per class, named by the preprocessing's class names or the
// folder names. The Dataset dialog shows it; it reads no pixels.
#pragma once

#include "core/data/Dataset.h"

#include <cstdint>
#include <string>
#include <vector>

namespace topiary {

struct ClassCount {
    int label = 0;
    std::string name; // "" when no name is known
    int64_t images = 0;
};

struct DatasetSummary {
    int64_t images = 0; // listed and readable by name (undecodable files are in `skipped`)
    int64_t unlabelled = 0;
    std::vector<ClassCount> perClass; // labels 0 .. maxLabel, in order (classes with no image included)
    std::vector<std::string> skipped; // "<file>: <reason>", as the dataset lists them
    int64_t ignoredFiles = 0; // files not named like images
};

// classNames: the names to give labels (a preprocessing's "classes"); empty = the
// dataset's own (folder names), if any.
DatasetSummary summarizeDataset(const Dataset& dataset, const std::vector<std::string>& classNames = {});

} // namespace topiary
