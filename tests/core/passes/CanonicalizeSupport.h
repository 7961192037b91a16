// What the canonicalization tests share: a quiet OpenCV, deterministic tensors, a direct
// numpy-style broadcast as the independent reference, and a runner for OpenCV with or
// without canonicalization.
#pragma once

#include "ModelBuilder.h"

#include "core/eval/OpenCvNet.h"

#include <catch2/catch.hpp>
#include <onnx/onnx_pb.h>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace topiary::test {


// OpenCV logs every node it fails to import; these tests provoke such failures on purpose.
struct QuietOpenCv {
    QuietOpenCv()
        : m_previous(cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT))
    {
    }
    ~QuietOpenCv() { cv::utils::logging::setLogLevel(m_previous); }
    cv::utils::logging::LogLevel m_previous;
};

// Deterministic values of both signs, never zero (some tests divide by them).
inline cv::Mat ramp(const std::vector<int>& dims, float scale = 0.1f, float offset = -0.65f)
{
    cv::Mat m(static_cast<int>(dims.size()), dims.data(), CV_32F);
    auto* p = m.ptr<float>();
    for (size_t i = 0; i < m.total(); ++i)
        p[i] = static_cast<float>((i * 37) % 23) * scale + offset;
    return m;
}

inline std::vector<float> values(const cv::Mat& m)
{
    return { m.ptr<float>(), m.ptr<float>() + m.total() };
}

inline std::vector<int> dimsOf(const cv::Mat& m)
{
    return { m.size.p, m.size.p + m.dims };
}

inline std::vector<int64_t> dims64(const std::vector<int>& d)
{
    return { d.begin(), d.end() };
}

// a OP b with numpy broadcasting, computed directly: the independent reference.
inline std::vector<float> broadcastReference(const std::function<float(float, float)>& op, const std::vector<float>& a,
    std::vector<int> aDims, const std::vector<float>& b, std::vector<int> bDims)
{
    const size_t rank = std::max(aDims.size(), bDims.size());
    aDims.insert(aDims.begin(), rank - aDims.size(), 1);
    bDims.insert(bDims.begin(), rank - bDims.size(), 1);
    std::vector<int> out(rank);
    for (size_t i = 0; i < rank; ++i)
        out[i] = std::max(aDims[i], bDims[i]);
    size_t total = 1;
    for (int d : out)
        total *= static_cast<size_t>(d);
    std::vector<float> result(total);
    std::vector<int> index(rank, 0);
    for (size_t k = 0; k < total; ++k) {
        size_t ia = 0, ib = 0;
        for (size_t d = 0; d < rank; ++d) {
            ia = ia * static_cast<size_t>(aDims[d]) + static_cast<size_t>(aDims[d] == 1 ? 0 : index[d]);
            ib = ib * static_cast<size_t>(bDims[d]) + static_cast<size_t>(bDims[d] == 1 ? 0 : index[d]);
        }
        result[k] = op(a[ia], b[ib]);
        for (size_t d = rank; d-- > 0;) {
            if (++index[d] < out[d])
                break;
            index[d] = 0;
        }
    }
    return result;
}

inline float maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    REQUIRE(a.size() == b.size());
    float m = 0.0f;
    for (size_t i = 0; i < a.size(); ++i)
        m = std::max(m, std::fabs(a[i] - b[i]));
    return m;
}

using Inputs = std::vector<std::pair<std::string, cv::Mat>>;

// Runs the model in OpenCV, canonicalized or as is; the first output, or the error.
inline Result<cv::Mat> runOpenCv(const onnx::ModelProto& model, const Inputs& inputs, bool canonicalize)
{
    auto net = canonicalize ? OpenCvNet::create(model) : OpenCvNet::createWithoutCanonicalizing(model);
    if (!net)
        return std::unexpected(net.error());
    auto out = net->forward(inputs);
    if (!out)
        return std::unexpected(out.error());
    return out->front();
}

inline int countOps(const onnx::ModelProto& model, const std::string& op)
{
    return static_cast<int>(std::count_if(model.graph().node().begin(), model.graph().node().end(),
        [&op](const onnx::NodeProto& n) { return n.op_type() == op; }));
}

inline onnx::TensorProto floatTensor(std::vector<int64_t> dims, std::vector<float> v)
{
    onnx::TensorProto t;
    t.set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : dims)
        t.add_dims(d);
    for (float x : v)
        t.add_float_data(x);
    return t;
}


} // namespace topiary::test
