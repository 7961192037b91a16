#include "core/eval/OneDnnConvLayer.h"

#include "core/eval/FoldedConvWeights.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>
#include <opencv2/core.hpp>
#include <opencv2/dnn/layer.hpp>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace topiary {

namespace {

using cv::dnn::Layer;
using cv::dnn::LayerParams;
using cv::dnn::MatShape;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

struct Geometry {
    int outputs = 0, inputs = 0; // K, C
    int kh = 1, kw = 1;
    int strideY = 1, strideX = 1;
    int dilationY = 1, dilationX = 1;
    int padTop = 0, padLeft = 0, padBottom = 0, padRight = 0;

    int outHeight(int h) const { return (h + padTop + padBottom - dilationY * (kh - 1) - 1) / strideY + 1; }
    int outWidth(int w) const { return (w + padLeft + padRight - dilationX * (kw - 1) - 1) / strideX + 1; }
};

// The activation folded in as a oneDNN post-op, as OpenCV's convolution applies it after
// the bias.
struct Activation {
    bool present = false;
    dnnl::algorithm algorithm = dnnl::algorithm::eltwise_relu;
    float alpha = 0.0f, beta = 0.0f;
};

const dnnl::engine& cpuEngine()
{
    static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

class OneDnnConvLayer final : public Layer {
public:
    OneDnnConvLayer(const LayerParams& params, Geometry geometry)
        : Layer(params)
        , m_g(geometry)
    {
        type = std::string(oneDnnConvLayerType);
    }

    bool supportBackend(int backendId) override { return backendId == cv::dnn::DNN_BACKEND_OPENCV; }

    bool getMemoryShapes(const std::vector<MatShape>& inputs, int, std::vector<MatShape>& outputs,
        std::vector<MatShape>&) const override
    {
        CV_Assert(inputs.size() == 1 && inputs[0].size() == 4 && inputs[0][1] == m_g.inputs);
        const MatShape& in = inputs[0];
        const int h = m_g.outHeight(in[2]), w = m_g.outWidth(in[3]);
        CV_Assert(h > 0 && w > 0);
        outputs.assign(1, MatShape { in[0], m_g.outputs, h, w });
        return false;
    }

    // OpenCV sets a net up by finalizing every layer and then fusing: the working weights
    // start again from the blobs (which SwappableNet may have rewritten), fusion scales them;
    // the primitive is made at the first forward after that.
    void finalize(cv::InputArrayOfArrays, cv::OutputArrayOfArrays) override
    {
        m_folded.load(blobs, m_g.outputs, static_cast<size_t>(m_g.inputs) * m_g.kh * m_g.kw);
        m_activation = {};
        m_shape.clear(); // made again at the next forward
    }

    // BatchNorm or Scale after the convolution: w' = w * scale, b' = b * scale + shift.
    bool tryFuse(cv::Ptr<Layer>& top) override
    {
        if (m_activation.present)
            return false; // an activation already folded in comes first
        if (!m_folded.fold(top))
            return false;
        m_shape.clear();
        return true;
    }

    bool setActivation(const cv::Ptr<cv::dnn::ActivationLayer>& layer) override
    {
        m_activation = {};
        m_shape.clear();
        if (!layer)
            return true;
        if (auto relu = layer.dynamicCast<cv::dnn::ReLULayer>()) {
            m_activation = { true, dnnl::algorithm::eltwise_relu, relu->negativeSlope, 0.0f };
            return true;
        }
        if (auto relu6 = layer.dynamicCast<cv::dnn::ReLU6Layer>()) {
            m_activation = { true, dnnl::algorithm::eltwise_clip, relu6->minValue, relu6->maxValue };
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
        CV_Assert(in.type() == CV_32F && in.isContinuous() && out.isContinuous() && in.dims == 4);
        const MatShape shape { in.size[0], in.size[1], in.size[2], in.size[3] };
        omp_set_num_threads(std::max(1, cv::getNumThreads())); // for the weights' reorder too
        if (shape != m_shape)
            prepare(shape);
        const dnnl::engine& engine = cpuEngine();
        dnnl::stream stream(engine);
        dnnl::memory src(m_userSrc, engine, const_cast<float*>(in.ptr<float>()));
        dnnl::memory dst(m_userDst, engine, out.ptr<float>());
        if (m_srcReorder) {
            m_srcReorder.execute(stream, src, m_src);
            src = m_src;
        }
        dnnl::memory result = m_dstReorder ? m_dst : dst;
        m_conv.execute(stream,
            { { DNNL_ARG_SRC, src }, { DNNL_ARG_WEIGHTS, m_weightsMemory }, { DNNL_ARG_BIAS, m_biasMemory },
                { DNNL_ARG_DST, result } });
        if (m_dstReorder)
            m_dstReorder.execute(stream, m_dst, dst);
        stream.wait();
    }

private:
    // The primitive for this input shape, and the weights in the layout it chose.
    void prepare(const MatShape& shape)
    {
        const dnnl::engine& engine = cpuEngine();
        const dnnl::memory::dim n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        const dnnl::memory::dims srcDims { n, c, h, w }, weightDims { m_g.outputs, c, m_g.kh, m_g.kw },
            biasDims { m_g.outputs }, dstDims { n, m_g.outputs, m_g.outHeight(shape[2]), m_g.outWidth(shape[3]) };
        m_userSrc = dnnl::memory::desc(srcDims, dt::f32, tag::nchw);
        m_userDst = dnnl::memory::desc(dstDims, dt::f32, tag::nchw);
        // oneDNN picks the activations' layout too (8-channel blocks on AVX2), with reorders
        // from and to the blobs: its NCHW kernels (GEMM) were slower than OpenCV's, the
        // blocked ones with the reorders faster (see BENCHMARKS.md).
        const tag activations = tag::any;
        const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
            dnnl::memory::desc(srcDims, dt::f32, activations), dnnl::memory::desc(weightDims, dt::f32, tag::any),
            dnnl::memory::desc(biasDims, dt::f32, tag::x), dnnl::memory::desc(dstDims, dt::f32, activations),
            { m_g.strideY, m_g.strideX }, { m_g.dilationY - 1, m_g.dilationX - 1 }, { m_g.padTop, m_g.padLeft },
            { m_g.padBottom, m_g.padRight });
        dnnl::primitive_attr attr;
        if (m_activation.present) {
            dnnl::post_ops ops;
            ops.append_eltwise(1.0f, m_activation.algorithm, m_activation.alpha, m_activation.beta);
            attr.set_post_ops(ops);
        }
        const dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);
        m_conv = dnnl::convolution_forward(pd);

        dnnl::stream stream(engine);
        dnnl::memory userWeights({ weightDims, dt::f32, tag::oihw }, engine, m_folded.weights.data());
        m_weightsMemory = dnnl::memory(pd.weights_desc(), engine);
        dnnl::reorder(userWeights, m_weightsMemory).execute(stream, userWeights, m_weightsMemory);
        m_biasMemory = dnnl::memory(pd.bias_desc(), engine);
        std::memcpy(m_biasMemory.get_data_handle(), m_folded.bias.data(), m_folded.bias.size() * sizeof(float));
        m_srcReorder = {};
        m_dstReorder = {};
        m_src = {};
        m_dst = {};
        if (pd.src_desc() != m_userSrc) {
            m_src = dnnl::memory(pd.src_desc(), engine);
            m_srcReorder = dnnl::reorder(dnnl::reorder::primitive_desc(engine, m_userSrc, engine, pd.src_desc()));
        }
        if (pd.dst_desc() != m_userDst) {
            m_dst = dnnl::memory(pd.dst_desc(), engine);
            m_dstReorder = dnnl::reorder(dnnl::reorder::primitive_desc(engine, pd.dst_desc(), engine, m_userDst));
        }
        stream.wait();
        m_shape = shape;
    }

    Geometry m_g;
    FoldedConvWeights m_folded; // K x C x kh x kw and K
    Activation m_activation;

    MatShape m_shape; // the input shape the primitive is for; empty: none made yet
    dnnl::memory::desc m_userSrc, m_userDst; // OpenCV's NCHW blobs
    dnnl::convolution_forward m_conv;
    dnnl::memory m_weightsMemory, m_biasMemory;
    dnnl::reorder m_srcReorder, m_dstReorder; // empty when the primitive reads and writes NCHW
    dnnl::memory m_src, m_dst;
};

} // namespace

cv::Ptr<Layer> createOneDnnConvolution(const LayerParams& params, const cv::dnn::BaseConvolutionLayer& geometry)
{
    if (const char* off = std::getenv("TOPIARY_ONEDNN"); off && std::string(off) == "0")
        return {};
    const cv::dnn::BaseConvolutionLayer& b = geometry;
    if (params.get<int>("group", 1) != 1 || params.blobs.empty() || params.blobs[0].dims != 4
        || params.blobs[0].type() != CV_32F || b.kernel_size.size() != 2 || !b.padMode.empty()
        || b.pads_begin.size() != 2 || b.pads_end.size() != 2 || b.strides.size() != 2 || b.dilations.size() != 2)
        return {};
    Geometry g;
    g.outputs = params.blobs[0].size[0];
    g.inputs = params.blobs[0].size[1];
    g.kh = static_cast<int>(b.kernel_size[0]);
    g.kw = static_cast<int>(b.kernel_size[1]);
    if (g.kh != params.blobs[0].size[2] || g.kw != params.blobs[0].size[3])
        return {};
    if (params.blobs.size() > 1 && (params.blobs[1].type() != CV_32F || params.blobs[1].total() != static_cast<size_t>(g.outputs)))
        return {};
    g.strideY = static_cast<int>(b.strides[0]);
    g.strideX = static_cast<int>(b.strides[1]);
    g.dilationY = static_cast<int>(b.dilations[0]);
    g.dilationX = static_cast<int>(b.dilations[1]);
    g.padTop = static_cast<int>(b.pads_begin[0]);
    g.padLeft = static_cast<int>(b.pads_begin[1]);
    g.padBottom = static_cast<int>(b.pads_end[0]);
    g.padRight = static_cast<int>(b.pads_end[1]);
    return cv::Ptr<Layer>(new OneDnnConvLayer(params, g));
}

} // namespace topiary
