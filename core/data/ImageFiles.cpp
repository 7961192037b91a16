#include "core/data/ImageFiles.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace topiary {

bool hasImageExtension(const std::filesystem::path& file)
{
    static constexpr std::array<std::string_view, 21> kExtensions
        = { ".bmp", ".dib", ".jpeg", ".jpg", ".jpe", ".jp2", ".png", ".webp", ".pbm", ".pgm", ".ppm", ".pxm", ".pnm",
              ".pfm", ".sr", ".ras", ".tiff", ".tif", ".exr", ".hdr", ".pic" };
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

Result<void> checkImageSignature(const std::filesystem::path& file)
{
    // Checked first, so that OpenCV does not log a warning for every missing file.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
        return fail(file.string() + (std::filesystem::exists(file, ec) ? ": not a regular file" : ": no such file"));
    if (std::filesystem::file_size(file, ec) == 0 && !ec)
        return fail(file.string() + ": empty file");
    try {
        if (cv::haveImageReader(file.string()))
            return {};
    } catch (const cv::Exception&) {
        // Treated like an unknown signature: the file is skipped, not fatal.
    }
    return fail(file.string() + ": not an image OpenCV can read");
}

Result<cv::Mat> decodeImage(const std::filesystem::path& file)
{
    cv::Mat image;
    try {
        image = cv::imread(file.string(), cv::IMREAD_ANYCOLOR | cv::IMREAD_IGNORE_ORIENTATION);
    } catch (const cv::Exception& e) {
        return fail(file.string() + ": cannot decode: " + e.err);
    }
    if (image.empty())
        return fail(file.string() + ": cannot decode (damaged or unsupported image)");
    return image;
}

} // namespace topiary
