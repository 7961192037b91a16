#include "core/recover/CalibrationImages.h"

#include "core/data/Preprocessor.h"
#include "core/eval/Evaluator.h"
#include "core/model/Model.h"

#include <opencv2/core.hpp>

#include <algorithm>

namespace topiary {

Result<CalibrationImages> loadCalibrationImages(const Model& model, const Dataset& dataset,
    const PreprocessSpec& spec, int64_t count, uint64_t seed, std::stop_token stop)
try {
    if (count < 1)
        return fail("recovery needs at least one calibration image");
    if (auto ok = checkPreprocessFor(spec, model.proto()); !ok)
        return std::unexpected(ok.error().withContext("calibration images"));
    auto preprocessor = Preprocessor::create(spec);
    if (!preprocessor)
        return std::unexpected(preprocessor.error());
    auto input = findImageInput(model.proto(), spec.inputName);
    if (!input)
        return std::unexpected(input.error());

    EvaluationOptions order;
    order.limit = count;
    order.seed = seed;
    const std::vector<int32_t> indices = Evaluator(dataset, spec, order).order();
    const size_t perImage = preprocessor->floatsPerImage();
    std::vector<float> data(indices.size() * perImage);
    CalibrationImages out;
    out.inputName = input->name;
    int n = 0;
    for (int32_t i : indices) {
        if (stop.stop_requested())
            return fail("cancelled while reading the calibration images");
        auto img = dataset.image(static_cast<size_t>(i));
        if (!img || !preprocessor->write(*img, data.data() + static_cast<size_t>(n) * perImage)) {
            ++out.skipped;
            continue;
        }
        ++n;
    }
    if (n == 0)
        return fail("none of the " + std::to_string(indices.size()) + " calibration images could be read");
    const int dims[4] = { n, spec.channels, spec.height, spec.width };
    out.blob = cv::Mat(4, dims, CV_32F, data.data()).clone();
    return out;
} catch (const cv::Exception& e) {
    return fail(std::string("reading the calibration images failed: ") + e.what());
}

} // namespace topiary
