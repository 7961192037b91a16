#include "core/data/Dataset.h"

#include "core/data/IdxFile.h"
#include "core/data/ImageFiles.h"
#include "core/data/ImageFolder.h"
#include "core/data/ImageList.h"

#include <algorithm>
#include <cctype>
#include <system_error>

namespace topiary {

namespace fs = std::filesystem;

struct Dataset::Contents {
    DatasetKind kind = DatasetKind::Idx;
    fs::path source;
    fs::path labelsFile;
    std::vector<fs::path> files; // folders and lists
    std::vector<int> labels;
    std::vector<std::string> classNames;
    std::vector<std::string> skipped;
    int64_t ignoredFiles = 0;
    int maxLabel = -1;
    // IDX: the pixels of all images, as in the file.
    std::vector<uint8_t> pixels;
    int rows = 0;
    int cols = 0;
};

namespace {

std::string plural(size_t n, const char* word)
{
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

} // namespace

Dataset::Dataset(std::shared_ptr<const Contents> contents)
    : m_contents(std::move(contents))
{
}

Result<Dataset> Dataset::open(const fs::path& path, const DatasetOptions& options)
{
    std::error_code ec;
    if (fs::is_directory(path, ec))
        return fromFolder(path);
    if (!fs::exists(path, ec))
        return fail(path.string() + ": no such file or folder");
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".csv" || ext == ".tsv" || ext == ".txt")
        return fromList(path, options.classNames);
    const fs::path labels = options.labels.empty() ? idxLabelsFileFor(path) : options.labels;
    return fromIdx(path, labels);
}

Result<Dataset> Dataset::fromIdx(const fs::path& imagesFile, const fs::path& labelsFile)
{
    auto images = readIdxImages(imagesFile);
    if (!images)
        return std::unexpected(images.error());
    // Rows and columns beyond int would not fit a cv::Mat; no IDX image is that large.
    if (images->rows > INT32_MAX || images->cols > INT32_MAX)
        return fail(imagesFile.string() + ": images of " + std::to_string(images->rows) + "x"
            + std::to_string(images->cols) + " pixels are too large");
    auto contents = std::make_shared<Contents>();
    contents->kind = DatasetKind::Idx;
    contents->source = imagesFile;
    contents->rows = static_cast<int>(images->rows);
    contents->cols = static_cast<int>(images->cols);
    contents->pixels = std::move(images->pixels);
    contents->labels.assign(static_cast<size_t>(images->count), -1);
    if (!labelsFile.empty()) {
        auto labels = readIdxLabels(labelsFile);
        if (!labels)
            return std::unexpected(labels.error());
        if (static_cast<int64_t>(labels->size()) != images->count)
            return fail(labelsFile.string() + ": " + plural(labels->size(), "label") + " for the "
                + plural(static_cast<size_t>(images->count), "image") + " of " + imagesFile.string());
        std::copy(labels->begin(), labels->end(), contents->labels.begin());
        contents->labelsFile = labelsFile;
        contents->maxLabel = *std::max_element(labels->begin(), labels->end());
    }
    return Dataset(std::move(contents));
}

Result<Dataset> Dataset::fromFolder(const fs::path& folder)
{
    auto found = scanImageFolder(folder);
    if (!found)
        return std::unexpected(found.error());
    const bool labelled = !found->classNames.empty();
    return fromImageFiles(
        std::move(*found), labelled ? DatasetKind::ImageFolder : DatasetKind::UnlabelledFolder, folder);
}

Result<Dataset> Dataset::fromList(const fs::path& listFile, const std::vector<std::string>& classNames)
{
    auto found = readImageList(listFile, classNames);
    if (!found)
        return std::unexpected(found.error());
    return fromImageFiles(std::move(*found), DatasetKind::ImageList, listFile);
}

Result<Dataset> Dataset::fromImageFiles(ImageSamples found, DatasetKind kind, const fs::path& source)
{
    if (found.samples.empty())
        return fail(source.string() + ": none of the " + plural(found.skipped.size(), "image file") + " can be read ("
            + (found.skipped.empty() ? std::string("none found") : found.skipped.front()) + ")");
    auto contents = std::make_shared<Contents>();
    contents->kind = kind;
    contents->source = source;
    contents->files.reserve(found.samples.size());
    contents->labels.reserve(found.samples.size());
    for (auto& sample : found.samples) {
        contents->files.push_back(std::move(sample.file));
        contents->labels.push_back(sample.label);
        contents->maxLabel = std::max(contents->maxLabel, sample.label);
    }
    contents->classNames = std::move(found.classNames);
    contents->skipped = std::move(found.skipped);
    contents->ignoredFiles = found.ignoredFiles;
    return Dataset(std::move(contents));
}

DatasetKind Dataset::kind() const
{
    return m_contents->kind;
}

const fs::path& Dataset::source() const
{
    return m_contents->source;
}

const fs::path& Dataset::labelsFile() const
{
    return m_contents->labelsFile;
}

std::string Dataset::description() const
{
    const Contents& c = *m_contents;
    std::string s;
    switch (c.kind) {
    case DatasetKind::Idx:
        s = "IDX file, " + plural(size(), "image") + " of " + std::to_string(c.rows) + "x" + std::to_string(c.cols)
            + (c.labelsFile.empty() ? ", unlabelled" : ", labels from " + c.labelsFile.filename().string());
        break;
    case DatasetKind::ImageFolder:
        s = "image folder, " + plural(size(), "image") + ", " + std::to_string(c.classNames.size())
            + (c.classNames.size() == 1 ? " class" : " classes");
        break;
    case DatasetKind::UnlabelledFolder:
        s = "unlabelled image folder, " + plural(size(), "image");
        break;
    case DatasetKind::ImageList:
        s = "image list, " + plural(size(), "image") + (hasLabels() ? "" : ", unlabelled");
        break;
    }
    if (!c.skipped.empty())
        s += ", " + std::to_string(c.skipped.size()) + " unreadable skipped";
    if (c.ignoredFiles > 0)
        s += ", " + plural(static_cast<size_t>(c.ignoredFiles), "other file") + " ignored";
    return s;
}

size_t Dataset::size() const
{
    return m_contents->labels.size();
}

int Dataset::label(size_t i) const
{
    return m_contents->labels.at(i);
}

bool Dataset::hasLabels() const
{
    return m_contents->maxLabel >= 0;
}

int Dataset::maxLabel() const
{
    return m_contents->maxLabel;
}

const std::vector<std::string>& Dataset::classNames() const
{
    return m_contents->classNames;
}

std::string Dataset::sampleName(size_t i) const
{
    const Contents& c = *m_contents;
    if (c.kind == DatasetKind::Idx)
        return c.source.string() + "[" + std::to_string(i) + "]";
    return c.files.at(i).string();
}

Result<cv::Mat> Dataset::image(size_t i) const
{
    const Contents& c = *m_contents;
    if (i >= size())
        return fail("sample " + std::to_string(i) + " is beyond the dataset's " + std::to_string(size()));
    if (c.kind != DatasetKind::Idx)
        return decodeImage(c.files[i]);
    const size_t pixels = static_cast<size_t>(c.rows) * static_cast<size_t>(c.cols);
    // cv::Mat wants a non-const pointer; the clone below is what callers get, so the shared pixels stay unchanged.
    cv::Mat view(c.rows, c.cols, CV_8UC1, const_cast<uint8_t*>(c.pixels.data() + i * pixels));
    return view.clone();
}

const std::vector<std::string>& Dataset::skipped() const
{
    return m_contents->skipped;
}

int64_t Dataset::ignoredFiles() const
{
    return m_contents->ignoredFiles;
}

} // namespace topiary
