#include "core/data/Preprocessor.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdint>

namespace topiary {

namespace {

// Python's round(), which torchvision's CenterCrop uses: halves go to the even neighbour.
int roundHalfEven(int twice)
{
    const int half = twice / 2;
    if (twice % 2 == 0)
        return half;
    return half % 2 == 0 ? half : half + 1;
}

int cvInterpolation(Interpolation i, cv::Size from, cv::Size to)
{
    switch (i) {
    case Interpolation::Nearest:
        return cv::INTER_NEAREST;
    case Interpolation::Bicubic:
        return cv::INTER_CUBIC;
    case Interpolation::Area:
        return cv::INTER_AREA;
    case Interpolation::Bilinear:
        break;
    }
    return to.width <= from.width && to.height <= from.height ? cv::INTER_AREA : cv::INTER_LINEAR;
}

} // namespace

Preprocessor::Preprocessor(PreprocessSpec spec)
    : m_spec(std::move(spec))
{
    for (int c = 0; c < m_spec.channels; ++c) {
        const double mean = m_spec.mean.size() == 1 ? m_spec.mean[0] : m_spec.mean[static_cast<size_t>(c)];
        const double stddev = m_spec.stddev.size() == 1 ? m_spec.stddev[0] : m_spec.stddev[static_cast<size_t>(c)];
        std::vector<float> lut(256);
        for (int v = 0; v < 256; ++v)
            lut[static_cast<size_t>(v)] = static_cast<float>((v * m_spec.scale - mean) / stddev);
        m_lut.push_back(std::move(lut));
    }
}

Result<Preprocessor> Preprocessor::create(const PreprocessSpec& spec)
{
    if (auto ok = checkPreprocess(spec); !ok)
        return std::unexpected(ok.error());
    return Preprocessor(spec);
}

size_t Preprocessor::floatsPerImage() const
{
    return static_cast<size_t>(m_spec.channels) * static_cast<size_t>(m_spec.height)
        * static_cast<size_t>(m_spec.width);
}

Result<cv::Mat> Preprocessor::geometry(const cv::Mat& image) const
{
    if (image.empty() || image.dims != 2)
        return fail("not a 2-D image");
    if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3 && image.channels() != 4))
        return fail("expected an 8-bit image with 1, 3 or 4 channels");
    try {
        cv::Mat img = image;
        if (img.channels() == 4)
            cv::cvtColor(img, img, cv::COLOR_BGRA2BGR);
        if (m_spec.channels == 1 && img.channels() == 3)
            cv::cvtColor(img, img, cv::COLOR_BGR2GRAY);
        else if (m_spec.channels == 3 && img.channels() == 1)
            cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);

        const cv::Size target(m_spec.width, m_spec.height);
        if (m_spec.resize == 0) {
            if (img.size() != target)
                cv::resize(img, img, target, 0, 0, cvInterpolation(m_spec.interpolation, img.size(), target));
            return img.clone();
        }
        // torchvision's Resize(int): the shorter side becomes `resize`, the longer one is scaled and truncated.
        const int w = img.cols;
        const int h = img.rows;
        const int shorter = std::min(w, h);
        if (shorter != m_spec.resize) {
            const auto longer = static_cast<int>(static_cast<int64_t>(m_spec.resize) * std::max(w, h) / shorter);
            const cv::Size size = w <= h ? cv::Size(m_spec.resize, longer) : cv::Size(longer, m_spec.resize);
            cv::resize(img, img, size, 0, 0, cvInterpolation(m_spec.interpolation, img.size(), size));
        }
        // CenterCrop: pad with zeros when smaller, then take the middle, rounding as Python does.
        const int padW = std::max(0, target.width - img.cols);
        const int padH = std::max(0, target.height - img.rows);
        if (padW > 0 || padH > 0)
            cv::copyMakeBorder(
                img, img, padH / 2, (padH + 1) / 2, padW / 2, (padW + 1) / 2, cv::BORDER_CONSTANT, cv::Scalar::all(0));
        const int top = roundHalfEven(img.rows - target.height);
        const int left = roundHalfEven(img.cols - target.width);
        return img(cv::Rect(left, top, target.width, target.height)).clone();
    } catch (const cv::Exception& e) {
        return fail("OpenCV cannot resize the image: " + e.err);
    }
}

Result<void> Preprocessor::write(const cv::Mat& image, float* out) const
{
    auto img = geometry(image);
    if (!img)
        return std::unexpected(img.error());
    const int channels = m_spec.channels;
    const size_t plane = static_cast<size_t>(m_spec.height) * static_cast<size_t>(m_spec.width);
    for (int c = 0; c < channels; ++c) {
        // Decoded images are BGR; model channel 0 is red in RGB order.
        const int source = channels == 3 && m_spec.colorOrder == ColorOrder::Rgb ? 2 - c : c;
        const float* lut = m_lut[static_cast<size_t>(c)].data();
        float* dst = out + static_cast<size_t>(c) * plane;
        for (int y = 0; y < img->rows; ++y) {
            const uint8_t* row = img->ptr<uint8_t>(y);
            for (int x = 0; x < img->cols; ++x)
                *dst++ = lut[row[x * channels + source]];
        }
    }
    return {};
}

Result<cv::Mat> Preprocessor::blob(const cv::Mat& image) const
{
    const int dims[4] = { 1, m_spec.channels, m_spec.height, m_spec.width };
    cv::Mat out(4, dims, CV_32F);
    if (auto ok = write(image, out.ptr<float>()); !ok)
        return std::unexpected(ok.error());
    return out;
}

} // namespace topiary
