#include "core/eval/FakeQuantizeLayer.h"

#include "core/passes/FuseActivationQdq.h"

#include <opencv2/dnn.hpp>
#include <opencv2/dnn/layer.hpp>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

namespace topiary {

void fakeQuantize(std::span<float> values, float scale, int zeroPoint, int qmin, int qmax)
{
    // ORT's QuantizeLinear divides by the scale, clamps to the codes' range less the zero
    // point and rounds half to even (MlasQuantizeLinear). After the clamp |v| <= 255, so
    // adding and subtracting 1.5 * 2^23 rounds half to even in the default rounding mode,
    // and the loop vectorizes where std::nearbyint would not.
    constexpr float kRound = 12582912.0f;
    const float lo = static_cast<float>(qmin - zeroPoint);
    const float hi = static_cast<float>(qmax - zeroPoint);
    for (float& x : values) {
        float v = std::min(std::max(x / scale, lo), hi);
        v = (v + kRound) - kRound;
        // DequantizeLinear: (codes - zero point) * scale, the codes less the zero point being v.
        x = v * scale;
    }
}

namespace {

using cv::dnn::Layer;
using cv::dnn::LayerParams;

class FakeQuantizeLayer final : public Layer {
public:
    explicit FakeQuantizeLayer(const LayerParams& params)
        : Layer(params)
        , m_scale(params.get<float>("fq_scale"))
        , m_zeroPoint(params.get<int>("fq_zero_point", 0))
        , m_qmin(params.get<int>("fq_qmin", 0))
        , m_qmax(params.get<int>("fq_qmax", 255))
    {
        CV_Assert(m_scale > 0.0f && m_qmin < m_qmax && m_zeroPoint >= m_qmin && m_zeroPoint <= m_qmax);
    }

    bool supportBackend(int backendId) override { return backendId == cv::dnn::DNN_BACKEND_OPENCV; }

    bool getMemoryShapes(const std::vector<cv::dnn::MatShape>& inputs, int, std::vector<cv::dnn::MatShape>& outputs,
        std::vector<cv::dnn::MatShape>&) const override
    {
        CV_Assert(inputs.size() == 1);
        outputs.assign(1, inputs[0]);
        return false;
    }

    void forward(cv::InputArrayOfArrays inputsArr, cv::OutputArrayOfArrays outputsArr, cv::OutputArrayOfArrays) override
    {
        std::vector<cv::Mat> inputs, outputs;
        inputsArr.getMatVector(inputs);
        outputsArr.getMatVector(outputs);
        CV_Assert(inputs.size() == 1 && outputs.size() == 1 && inputs[0].type() == CV_32F);
        cv::Mat& out = outputs[0];
        if (out.data != inputs[0].data)
            inputs[0].copyTo(out);
        CV_Assert(out.isContinuous());
        fakeQuantize(std::span<float>(out.ptr<float>(), out.total()), m_scale, m_zeroPoint, m_qmin, m_qmax);
    }

private:
    float m_scale;
    int m_zeroPoint, m_qmin, m_qmax;
};

cv::Ptr<Layer> createFakeQuantize(LayerParams& params) { return cv::Ptr<Layer>(new FakeQuantizeLayer(params)); }

} // namespace

void registerFakeQuantizeLayer()
{
    static std::once_flag once;
    std::call_once(
        once, [] { cv::dnn::LayerFactory::registerLayer(std::string(kFakeQuantizeOp), createFakeQuantize); });
}

} // namespace topiary
