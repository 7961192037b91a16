#include "core/data/ImageFolder.h"

#include <algorithm>
#include <set>
#include <system_error>

namespace topiary {

namespace {

namespace fs = std::filesystem;

constexpr int kMaxDepth = 64;

// torchvision walks with sorted(os.walk(...)) and sorts the names in each folder: files
// are ordered by their folder's path first, then by name.
bool walkOrder(const ImageSample& a, const ImageSample& b)
{
    const std::string pa = a.file.parent_path().string();
    const std::string pb = b.file.parent_path().string();
    if (pa != pb)
        return pa < pb;
    return a.file.filename().string() < b.file.filename().string();
}

void addFile(const fs::path& file, int label, std::vector<ImageSample>& found, ImageSamples& out)
{
    if (!hasImageExtension(file)) {
        ++out.ignoredFiles;
        return;
    }
    if (auto ok = checkImageSignature(file); !ok) {
        out.skipped.push_back(ok.error().message);
        return;
    }
    found.push_back({ file, label });
}

// Every file under `dir`, following symbolic links as torchvision does, but entering each
// real folder once, so that a link loop cannot make the walk endless.
void walkClass(const fs::path& dir, int label, ImageSamples& out)
{
    std::vector<ImageSample> found;
    std::set<fs::path> visited;
    std::error_code ec;
    visited.insert(fs::canonical(dir, ec));
    const auto options
        = fs::directory_options::follow_directory_symlink | fs::directory_options::skip_permission_denied;
    for (auto it = fs::recursive_directory_iterator(dir, options); it != fs::recursive_directory_iterator(); ++it) {
        if (it->is_directory(ec)) {
            if (it.depth() >= kMaxDepth || !visited.insert(fs::canonical(it->path(), ec)).second)
                it.disable_recursion_pending();
        } else if (it->is_regular_file(ec)) {
            addFile(it->path(), label, found, out);
        }
    }
    std::sort(found.begin(), found.end(), walkOrder);
    out.samples.insert(out.samples.end(), found.begin(), found.end());
}

} // namespace

Result<ImageSamples> scanImageFolder(const fs::path& folder)
{
    try {
        std::error_code ec;
        if (!fs::is_directory(folder, ec))
            return fail(folder.string() + ": not a folder");
        std::vector<fs::path> classDirs;
        std::vector<fs::path> topFiles;
        for (const auto& entry : fs::directory_iterator(folder, fs::directory_options::skip_permission_denied)) {
            if (entry.is_directory(ec))
                classDirs.push_back(entry.path());
            else if (entry.is_regular_file(ec))
                topFiles.push_back(entry.path());
        }
        std::sort(classDirs.begin(), classDirs.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
        std::sort(topFiles.begin(), topFiles.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });

        ImageSamples labelled;
        for (size_t i = 0; i < classDirs.size(); ++i) {
            labelled.classNames.push_back(classDirs[i].filename().string());
            walkClass(classDirs[i], static_cast<int>(i), labelled);
        }
        const bool topHasImages = std::any_of(topFiles.begin(), topFiles.end(), hasImageExtension);
        if (!labelled.samples.empty() || !labelled.skipped.empty() || !topHasImages) {
            if (labelled.samples.empty() && labelled.skipped.empty())
                return fail(folder.string()
                    + ": no images found (expected one sub-folder of images per class, or images directly in it)");
            // Images next to the class folders belong to no class; torchvision ignores them too.
            labelled.ignoredFiles += static_cast<int64_t>(topFiles.size());
            return labelled;
        }

        ImageSamples unlabelled;
        std::vector<ImageSample> found;
        for (const auto& file : topFiles)
            addFile(file, -1, found, unlabelled);
        unlabelled.samples = std::move(found);
        return unlabelled;
    } catch (const fs::filesystem_error& e) {
        return fail(folder.string() + ": cannot list the folder: " + e.what());
    }
}

} // namespace topiary
