// A set of images with labels to evaluate a model on, from one of three sources:
//  - IDX files of the MNIST family (images + labels, gzipped or not), see IdxFile.h;
//  - an image folder, one sub-folder per class as torchvision's ImageFolder, or a folder
//    of unlabelled images, see ImageFolder.h;
//  - a .csv/.tsv list of "path,label" lines, see ImageList.h.
// The sample list is made when the dataset is opened; image i is decoded when asked for,
// so a 50,000-image folder costs its paths, not its pixels (IDX pixels are held as read:
// they are the file). Image files OpenCV cannot read are skipped and listed, never fatal.
// A Dataset is an immutable handle: copies are cheap and share the samples, and image()
// may be called from several threads at once.
#pragma once

#include "core/base/Error.h"

#include <opencv2/core/mat.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace topiary {

struct ImageSamples;

struct DatasetOptions {
    std::filesystem::path labels; // IDX: the labels file, when it is not named like the images file
    std::vector<std::string> classNames; // image lists: the class order that names in the list map to
};

enum class DatasetKind { Idx, ImageFolder, UnlabelledFolder, ImageList };

class Dataset {
public:
    // Decides by the path: a folder, a .csv/.tsv/.txt list, otherwise an IDX images file
    // (its labels file found by name next to it, see idxLabelsFileFor(), or options.labels).
    static Result<Dataset> open(const std::filesystem::path& path, const DatasetOptions& options = {});
    // labelsFile empty: unlabelled.
    static Result<Dataset> fromIdx(const std::filesystem::path& imagesFile, const std::filesystem::path& labelsFile);
    static Result<Dataset> fromFolder(const std::filesystem::path& folder);
    static Result<Dataset> fromList(
        const std::filesystem::path& listFile, const std::vector<std::string>& classNames = {});

    DatasetKind kind() const;
    const std::filesystem::path& source() const; // the folder, list or IDX images file
    const std::filesystem::path& labelsFile() const; // IDX only; empty when unlabelled
    std::string description() const; // "IDX, 1000 images 28x28, labelled", for people

    size_t size() const;
    int label(size_t i) const; // -1: unlabelled
    bool hasLabels() const; // at least one sample has a label
    int maxLabel() const; // -1 when unlabelled
    const std::vector<std::string>& classNames() const; // label order; empty when unknown
    std::string sampleName(size_t i) const; // the file, or "<idx file>[i]"

    // 8-bit, 1 channel (grayscale) or 3 (BGR, OpenCV's order). An error for a file that
    // cannot be decoded after all (e.g. truncated): callers skip it.
    Result<cv::Mat> image(size_t i) const;

    // "<file>: <reason>" for every image file left out while the list was made.
    const std::vector<std::string>& skipped() const;
    int64_t ignoredFiles() const; // files not named like images

private:
    struct Contents;
    explicit Dataset(std::shared_ptr<const Contents> contents);
    static Result<Dataset> fromImageFiles(ImageSamples found, DatasetKind kind, const std::filesystem::path& source);
    std::shared_ptr<const Contents> m_contents;
};

} // namespace topiary
