#include "core/eval/DepthwiseConvLayer.h"

#include "core/eval/FoldedConvWeights.h"
#include "core/eval/OneDnnConvLayer.h"

#include <opencv2/core.hpp>
#include <opencv2/dnn/all_layers.hpp>
#include <opencv2/dnn/layer.hpp>

#include <algorithm>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

namespace topiary {

namespace {

using cv::dnn::Layer;
using cv::dnn::LayerParams;
using cv::dnn::MatShape;

struct Geometry {
    int outputs = 0; // K
    int groups = 1; // every group reads one input channel
    int kh = 1, kw = 1;
    int strideY = 1, strideX = 1;
    int dilationY = 1, dilationX = 1;
    int padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;

    int outputsPerGroup() const { return outputs / groups; }
    int outHeight(int h) const { return (h + padTop + padBottom - dilationY * (kh - 1) - 1) / strideY + 1; }
    int outWidth(int w) const { return (w + padLeft + padRight - dilationX * (kw - 1) - 1) / strideX + 1; }
};

// The activation folded in, as OpenCV's convolution clamps after the bias: max(v, min)
// then min(v, max), or a leaky slope below zero.
struct Activation {
    float minValue = -std::numeric_limits<float>::infinity();
    float maxValue = std::numeric_limits<float>::infinity();
    float negativeSlope = 1.0f; // 1: none

    void apply(float* v, int n) const
    {
        if (negativeSlope != 1.0f) {
            for (int i = 0; i < n; ++i)
                v[i] = v[i] >= 0.0f ? v[i] : v[i] * negativeSlope;
        }
        for (int i = 0; i < n; ++i)
            v[i] = std::min(std::max(v[i], minValue), maxValue);
    }
};

// One plane, computed over the flattened padded plane so that every tap is one long
// vectorizable loop (a 7x7 output would otherwise give rows too short for vectors):
// acc[i] = bias + sum over taps (in the order ky, kx) of w * in[i + offset], where output
// (y, x) is acc[y * pitch + x]; the columns between rows are computed and dropped.
__attribute__((target_clones("avx2", "default"))) void convolvePlane(float* __restrict acc, int length,
    const float* __restrict in, const int* offsets, const float* filter, int taps, float bias)
{
    std::fill(acc, acc + length, bias);
    for (int t = 0; t < taps; ++t) {
        const float w = filter[t];
        const float* x = in + offsets[t];
        for (int i = 0; i < length; ++i)
            acc[i] += w * x[i];
    }
}

class DepthwiseConvLayer final : public Layer {
public:
    DepthwiseConvLayer(const LayerParams& params, Geometry geometry)
        : Layer(params)
        , m_g(geometry)
    {
        type = std::string(depthwiseConvLayerType);
    }

    bool supportBackend(int backendId) override { return backendId == cv::dnn::DNN_BACKEND_OPENCV; }

    bool getMemoryShapes(const std::vector<MatShape>& inputs, int, std::vector<MatShape>& outputs,
        std::vector<MatShape>&) const override
    {
        CV_Assert(inputs.size() == 1 && inputs[0].size() == 4 && inputs[0][1] == m_g.groups);
        const MatShape& in = inputs[0];
        const int h = m_g.outHeight(in[2]), w = m_g.outWidth(in[3]);
        CV_Assert(h > 0 && w > 0);
        outputs.assign(1, MatShape { in[0], m_g.outputs, h, w });
        return false;
    }

    // OpenCV sets a net up by finalizing every layer and then fusing: the working weights
    // start again from the blobs (which SwappableNet may have rewritten), fusion scales them.
    void finalize(cv::InputArrayOfArrays, cv::OutputArrayOfArrays) override
    {
        m_folded.load(blobs, m_g.outputs, static_cast<size_t>(m_g.kh) * m_g.kw);
        m_activation = {};
    }

    // BatchNorm or Scale after the convolution: w' = w * scale, b' = b * scale + shift.
    bool tryFuse(cv::Ptr<Layer>& top) override
    {
        if (m_activation.negativeSlope != 1.0f || m_activation.minValue != -std::numeric_limits<float>::infinity()
            || m_activation.maxValue != std::numeric_limits<float>::infinity())
            return false; // an activation already folded in comes first
        return m_folded.fold(top);
    }

    bool setActivation(const cv::Ptr<cv::dnn::ActivationLayer>& layer) override
    {
        m_activation = {};
        if (!layer)
            return true;
        if (auto relu = layer.dynamicCast<cv::dnn::ReLULayer>()) {
            if (relu->negativeSlope == 0.0f)
                m_activation.minValue = 0.0f;
            else
                m_activation.negativeSlope = relu->negativeSlope;
            return true;
        }
        if (auto relu6 = layer.dynamicCast<cv::dnn::ReLU6Layer>()) {
            m_activation.minValue = relu6->minValue;
            m_activation.maxValue = relu6->maxValue;
            return true;
        }
        return false; // runs as its own layer
    }

    void forward(cv::InputArrayOfArrays inputsArr, cv::OutputArrayOfArrays outputsArr, cv::OutputArrayOfArrays) override
    {
        std::vector<cv::Mat> inputs, outputs;
        inputsArr.getMatVector(inputs);
        outputsArr.getMatVector(outputs);
        const cv::Mat& in = inputs[0];
        cv::Mat& out = outputs[0];
        CV_Assert(in.type() == CV_32F && in.isContinuous() && out.isContinuous());
        const int n = in.size[0], c = in.size[1], h = in.size[2], w = in.size[3];
        const int oh = out.size[2], ow = out.size[3];
        const int k = m_g.outputs, perGroup = m_g.outputsPerGroup(), taps = m_g.kh * m_g.kw;
        const float* src = in.ptr<float>();
        float* dst = out.ptr<float>();
        const Geometry g = m_g;
        const Activation activation = m_activation;
        const float* weights = m_folded.weights.data();
        const float* bias = m_folded.bias.data();
        // The padded input plane split into stride phases: phase (py, px) holds padded
        // pixel (r * strideY + py, q * strideX + px) at (r, q), so that every tap reads a
        // stride-1 window of one phase. Its offset for output (0, 0):
        const int phaseH = (h + g.padTop + g.padBottom + g.strideY - 1) / g.strideY;
        const int pitch = (w + g.padLeft + g.padRight + g.strideX - 1) / g.strideX;
        const int phaseSize = phaseH * pitch;
        std::vector<int> offsets;
        for (int ky = 0; ky < g.kh; ++ky)
            for (int kx = 0; kx < g.kw; ++kx) {
                const int r = ky * g.dilationY, q = kx * g.dilationX;
                offsets.push_back(((r % g.strideY) * g.strideX + q % g.strideX) * phaseSize + (r / g.strideY) * pitch + q / g.strideX);
            }
        const int length = (oh - 1) * pitch + ow;
        std::vector<int> rowStart(static_cast<size_t>(h)), columnAt(static_cast<size_t>(w)); // input pixel -> phases
        for (int y = 0; y < h; ++y) {
            const int r = y + g.padTop;
            rowStart[y] = (r % g.strideY) * g.strideX * phaseSize + (r / g.strideY) * pitch;
        }
        for (int x = 0; x < w; ++x) {
            const int q = x + g.padLeft;
            columnAt[x] = (q % g.strideX) * phaseSize + q / g.strideX;
        }
        cv::parallel_for_(cv::Range(0, n * k), [&](const cv::Range& range) {
            std::vector<float> phases(static_cast<size_t>(phaseSize) * g.strideY * g.strideX + pitch, 0.0f);
            std::vector<float> acc(static_cast<size_t>(length));
            int loaded = -1; // the (image, channel) plane in `phases`
            for (int plane = range.start; plane < range.end; ++plane) {
                const int image = plane / k, o = plane % k;
                const int source = image * c + o / perGroup;
                if (source != loaded) { // only the interior is written: the padding stays zero
                    const float* p = src + static_cast<size_t>(source) * h * w;
                    for (int y = 0; y < h; ++y) {
                        float* line = phases.data() + rowStart[y];
                        for (int x = 0; x < w; ++x)
                            line[columnAt[x]] = p[y * w + x];
                    }
                    loaded = source;
                }
                convolvePlane(acc.data(), length, phases.data(), offsets.data(), weights + static_cast<size_t>(o) * taps, taps, bias[o]);
                float* result = dst + static_cast<size_t>(plane) * oh * ow;
                for (int y = 0; y < oh; ++y)
                    std::copy(acc.data() + y * pitch, acc.data() + y * pitch + ow, result + y * ow);
                activation.apply(result, oh * ow);
            }
        }, std::max(1.0, n * k / 64.0));
    }

private:
    Geometry m_g;
    FoldedConvWeights m_folded; // K x taps and K
    Activation m_activation;
};

cv::Ptr<Layer> createConvolution(LayerParams& params)
{
    cv::Ptr<cv::dnn::BaseConvolutionLayer> builtin = cv::dnn::ConvolutionLayer::create(params);
    const int groups = params.get<int>("group", 1);
    // Dense convolutions go to oneDNN where it is faster (createOneDnnConvolution decides).
    if (groups < 2) {
        cv::Ptr<Layer> dense = createOneDnnConvolution(params, *builtin);
        return dense ? dense : cv::Ptr<Layer>(builtin);
    }
    // Only depthwise: a one-channel image's convolution (groups == 1) was as fast in OpenCV's
    // own GEMM path as in this layer (measured on the sample's stem: 45 ms against 60 ms per
    // 1,000 images).
    if ( params.blobs.empty() || params.blobs[0].dims != 4 || params.blobs[0].size[1] != 1 || builtin->kernel_size.size() != 2
        || !builtin->padMode.empty() || params.blobs[0].size[0] % groups != 0
        || builtin->pads_begin.size() != 2 || builtin->pads_end.size() != 2 || builtin->strides.size() != 2
        || builtin->dilations.size() != 2 || params.blobs[0].type() != CV_32F)
        return builtin;
    Geometry g;
    g.outputs = params.blobs[0].size[0];
    g.groups = groups;
    g.kh = static_cast<int>(builtin->kernel_size[0]);
    g.kw = static_cast<int>(builtin->kernel_size[1]);
    if (g.kh != params.blobs[0].size[2] || g.kw != params.blobs[0].size[3])
        return builtin;
    g.strideY = static_cast<int>(builtin->strides[0]);
    g.strideX = static_cast<int>(builtin->strides[1]);
    g.dilationY = static_cast<int>(builtin->dilations[0]);
    g.dilationX = static_cast<int>(builtin->dilations[1]);
    g.padTop = static_cast<int>(builtin->pads_begin[0]);
    g.padLeft = static_cast<int>(builtin->pads_begin[1]);
    g.padBottom = static_cast<int>(builtin->pads_end[0]);
    g.padRight = static_cast<int>(builtin->pads_end[1]);
    return cv::Ptr<Layer>(new DepthwiseConvLayer(params, g));
}

} // namespace

void registerDepthwiseConvLayer()
{
    static std::once_flag once;
    std::call_once(once, [] { cv::dnn::LayerFactory::registerLayer("Convolution", createConvolution); });
}

} // namespace topiary
