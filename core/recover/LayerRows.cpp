#include "core/recover/LayerRows.h"

#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <algorithm>
#include <numeric>

namespace topiary {

namespace {

std::vector<int64_t> intsAttribute(const onnx::NodeProto& node, const char* name)
{
    for (const auto& a : node.attribute())
        if (a.name() == name)
            return { a.ints().begin(), a.ints().end() };
    return {};
}

const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const char* name)
{
    for (const auto& a : node.attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

} // namespace

Result<LayerRows> LayerRows::create(const Model& model, const Layer& layer)
{
    const onnx::NodeProto& node = model.nodeProto(layer.node);
    LayerRows r;
    if (layer.kind == LayerKind::Conv) {
        if (layer.weightShape.size() != 4)
            return fail("only 2-D convolutions are refitted");
        if (const auto* a = attribute(node, "auto_pad"); a && a->s() != "NOTSET" && !a->s().empty())
            return fail("a convolution with auto_pad is not refitted");
        r.m_groups = static_cast<int>(layer.group);
        r.m_cinPerGroup = static_cast<int>(layer.weightShape[1]);
        r.m_kh = static_cast<int>(layer.weightShape[2]);
        r.m_kw = static_cast<int>(layer.weightShape[3]);
        r.m_outPerGroup = static_cast<int>(layer.weightShape[0] / std::max<int64_t>(1, layer.group));
        const auto strides = intsAttribute(node, "strides");
        const auto pads = intsAttribute(node, "pads");
        const auto dilations = intsAttribute(node, "dilations");
        if (strides.size() == 2)
            r.m_sh = static_cast<int>(strides[0]), r.m_sw = static_cast<int>(strides[1]);
        if (pads.size() == 4)
            r.m_ph = static_cast<int>(pads[0]), r.m_pw = static_cast<int>(pads[1]);
        if (dilations.size() == 2)
            r.m_dh = static_cast<int>(dilations[0]), r.m_dw = static_cast<int>(dilations[1]);
        r.m_k = r.m_cinPerGroup * r.m_kh * r.m_kw;
        return r;
    }
    if (layer.kind == LayerKind::Gemm) {
        for (const char* name : { "alpha", "beta" })
            if (const auto* a = attribute(node, name); a && a->f() != 1.0f)
                return fail(std::string("a Gemm with ") + name + " other than 1 is not refitted");
        if (const auto* a = attribute(node, "transA"); a && a->i() != 0)
            return fail("a Gemm with transA is not refitted");
        if (layer.weightShape.size() != 2)
            return fail("the Gemm's weight is not a matrix");
        r.m_conv = false;
        r.m_transposedWeight = layer.weightTransposed;
        r.m_outPerGroup = static_cast<int>(layer.outChannels);
        r.m_k = static_cast<int>(layer.inChannels);
        r.m_cinPerGroup = r.m_k;
        return r;
    }
    return fail(std::string(layerKindName(layer.kind)) + " layers are not refitted");
}

int64_t LayerRows::weightIndex(int output, int k) const
{
    if (m_transposedWeight)
        return int64_t { k } * (int64_t { m_outPerGroup } * m_groups) + output;
    return int64_t { output } * m_k + k;
}

Result<void> LayerRows::rows(const cv::Mat& input, const cv::Mat& output, int count,
    const std::vector<std::vector<int>>& positions, int group, cv::Mat& x, cv::Mat& y) const
{
    const int outChannels = m_outPerGroup * m_groups;
    if (!m_conv) {
        if (input.dims != 2 || input.size[1] != m_k || output.dims != 2 || output.size[1] != outChannels)
            return fail("the Gemm's input or output does not have the expected shape");
        input.rowRange(0, count).copyTo(x);
        output.rowRange(0, count).copyTo(y);
        return {};
    }
    if (input.dims != 4 || output.dims != 4 || input.size[1] != m_cinPerGroup * m_groups
        || output.size[1] != outChannels)
        return fail("the convolution's input or output does not have the expected shape");
    const int h = input.size[2], w = input.size[3];
    const int oh = output.size[2], ow = output.size[3];
    int64_t total = 0;
    for (int n = 0; n < count; ++n)
        total += static_cast<int64_t>(positions[static_cast<size_t>(n)].size());
    x.create(static_cast<int>(total), m_k, CV_32F);
    y.create(static_cast<int>(total), m_outPerGroup, CV_32F);
    const size_t inPlane = static_cast<size_t>(h) * w;
    const size_t outPlane = static_cast<size_t>(oh) * ow;
    int row = 0;
    for (int n = 0; n < count; ++n) {
        const float* in = input.ptr<float>() + static_cast<size_t>(n) * input.size[1] * inPlane;
        const float* out = output.ptr<float>() + static_cast<size_t>(n) * outChannels * outPlane;
        for (int p : positions[static_cast<size_t>(n)]) {
            const int oy = p / ow, ox = p % ow;
            float* xr = x.ptr<float>(row);
            int k = 0;
            for (int c = 0; c < m_cinPerGroup; ++c) {
                const float* plane = in + static_cast<size_t>(group * m_cinPerGroup + c) * inPlane;
                for (int ky = 0; ky < m_kh; ++ky) {
                    const int iy = oy * m_sh - m_ph + ky * m_dh;
                    for (int kx = 0; kx < m_kw; ++kx, ++k) {
                        const int ix = ox * m_sw - m_pw + kx * m_dw;
                        xr[k] = iy >= 0 && iy < h && ix >= 0 && ix < w ? plane[static_cast<size_t>(iy) * w + ix] : 0.0f;
                    }
                }
            }
            float* yr = y.ptr<float>(row);
            for (int o = 0; o < m_outPerGroup; ++o)
                yr[o] = out[static_cast<size_t>(group * m_outPerGroup + o) * outPlane + static_cast<size_t>(p)];
            ++row;
        }
    }
    return {};
}

std::vector<int> samplePositions(int64_t total, int64_t take, std::mt19937_64& rng)
{
    std::vector<int> all(static_cast<size_t>(total));
    std::iota(all.begin(), all.end(), 0);
    if (take < total) {
        // A partial Fisher-Yates shuffle: the first `take` are a uniform sample.
        for (int64_t i = 0; i < take; ++i) {
            std::uniform_int_distribution<int64_t> pick(i, total - 1);
            std::swap(all[static_cast<size_t>(i)], all[static_cast<size_t>(pick(rng))]);
        }
        all.resize(static_cast<size_t>(take));
        std::sort(all.begin(), all.end());
    }
    return all;
}

} // namespace topiary
