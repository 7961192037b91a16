#include "core/eval/ForwardTiming.h"

#include "core/eval/OpenCvNet.h"
#include "core/model/Model.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <optional>
#include <chrono>
#include <vector>

namespace topiary {

namespace {

// The declared dims of the model's first real input (-1 for a symbolic or missing dim);
// the proto's, since the model's tensor index pins symbolic input dims to 1.
std::optional<std::vector<int64_t>> inputDims(const Model& model)
{
    if (model.inputs().empty())
        return std::nullopt;
    for (const auto& vi : model.proto().graph().input()) {
        if (vi.name() != model.inputs()[0])
            continue;
        if (!vi.type().tensor_type().has_shape())
            return std::nullopt;
        std::vector<int64_t> dims;
        for (const auto& d : vi.type().tensor_type().shape().dim())
            dims.push_back(d.has_dim_value() && d.dim_value() > 0 ? d.dim_value() : -1);
        return dims;
    }
    return std::nullopt;
}

} // namespace

bool hasFreeBatch(const Model& model)
{
    const auto dims = inputDims(model);
    return dims && !dims->empty() && (*dims)[0] < 0;
}

Result<ForwardTiming> timeForward(const Model& model, const ForwardTimingOptions& options, std::stop_token stop)
{
    if (model.inputs().empty())
        return fail("the model has no input");
    const auto declared = inputDims(model);
    if (!declared || declared->empty())
        return fail("the model's input '" + model.inputs()[0] + "' has no known shape");
    if (options.runs < 1 || options.warmup < 0 || options.batch < 1)
        return fail("timing needs at least one run and a positive batch");
    std::vector<int> dims;
    for (int64_t d : *declared)
        dims.push_back(d > 0 ? static_cast<int>(d) : 1);
    if ((*declared)[0] < 0)
        dims[0] = options.batch;

    auto net = OpenCvNet::create(model.proto());
    if (!net)
        return std::unexpected(net.error());
    cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F);
    cv::RNG rng(12345);
    rng.fill(blob, cv::RNG::UNIFORM, -1.0f, 1.0f);
    std::vector<double> ms;
    for (int i = 0; i < options.warmup + options.runs; ++i) {
        if (stop.stop_requested())
            return fail("cancelled");
        const auto t0 = std::chrono::steady_clock::now();
        auto out = net->forward(blob);
        if (!out)
            return std::unexpected(out.error());
        const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        if (i >= options.warmup)
            ms.push_back(t);
    }
    std::sort(ms.begin(), ms.end());
    const size_t mid = ms.size() / 2;
    const double median = ms.size() % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2.0;
    return ForwardTiming { dims[0], median, ms.front(), options.runs, cv::getNumThreads() };
}

} // namespace topiary
