#include "ActivationCalibrationRunner.h"

#include "core/export/ActivationPlacement.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/recover/ActivationCalibration.h"
#include "core/recover/CalibrationImages.h"

#include <mutex>

namespace topiary {

namespace {
constexpr int kDefaultDebounceMs = 200;

// What ranges depend on: the plan with float activations (calibration runs that), its
// calibration images and method, but not its recovery methods (the window's live estimate
// and so its ranges are of the compressed model as it is).
Plan measuredUnder(const Plan& plan)
{
    Plan key = withFloatActivations(plan);
    RecoverySpec recovery = key.recovery();
    recovery.batchNorm = recovery.bias = recovery.leastSquares = false;
    ActivationRanges how;
    how.method = plan.activationRanges().method;
    how.percentile = plan.activationRanges().percentile;
    return key.withRecovery(recovery).withActivationRanges(how);
}
} // namespace

// What a run needs, shared with the worker; replaced (not mutated) when the model or the
// dataset changes, so a run being stopped keeps what it started with.
struct ActivationCalibrationRunner::Engine {
    std::mutex running; // one run at a time (the images below are the worker's)
    std::shared_ptr<const Model> model;
    std::shared_ptr<const Dataset> dataset;
    PreprocessSpec spec;
    std::optional<CalibrationImages> images; // of the last run, for imagesFor
    RecoverySpec imagesFor;
};

ActivationCalibrationRunner::ActivationCalibrationRunner(QObject* parent)
    : QObject(parent)
    , m_engine(std::make_shared<Engine>())
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDefaultDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &ActivationCalibrationRunner::start);
}

ActivationCalibrationRunner::~ActivationCalibrationRunner() = default;

bool ActivationCalibrationRunner::needsCalibration(const Model& model, const Plan& plan)
{
    if (!quantizesActivations(plan))
        return false;
    auto placement = placeActivations(model.graph(), plan);
    if (!placement)
        return false; // the evaluation will say what is wrong
    for (const std::string& tensor : placement->rangeTensors())
        if (!plan.activationRanges().tensors.contains(tensor))
            return true;
    return false;
}

std::string ActivationCalibrationRunner::inputRangeTensor(const Model& model, const Layer& layer, const Plan& plan)
{
    if (!plan.spec(layer.name).act.quantized() || layer.node < 0)
        return {};
    const auto& inputs = model.node(layer.node).inputs;
    if (inputs.empty())
        return {};
    auto placement = placeActivations(model.graph(), plan);
    if (!placement)
        return {};
    for (const QdqSite& site : placement->sites)
        if (site.tensor == inputs.front())
            return site.range;
    return {};
}

void ActivationCalibrationRunner::setModel(std::shared_ptr<const Model> model)
{
    auto next = std::make_shared<Engine>();
    next->model = std::move(model);
    next->dataset = m_engine->dataset;
    next->spec = m_engine->spec;
    cancel();
    m_engine = std::move(next);
    m_plan = Plan {};
    m_calibratedFor.reset();
    m_histograms.clear();
}

void ActivationCalibrationRunner::setDataset(std::shared_ptr<const Dataset> dataset, PreprocessSpec spec)
{
    auto next = std::make_shared<Engine>();
    next->model = m_engine->model;
    next->dataset = std::move(dataset);
    next->spec = std::move(spec);
    cancel();
    m_engine = std::move(next);
    m_calibratedFor.reset(); // other images
    if (m_engine->model && needsCalibration(*m_engine->model, m_plan))
        m_debounce.start();
}

bool ActivationCalibrationRunner::isStale(const Plan& plan) const
{
    return m_calibratedFor && quantizesActivations(plan) && !plan.activationRanges().empty()
        && !(measuredUnder(plan) == *m_calibratedFor);
}

bool ActivationCalibrationRunner::hasDataset() const
{
    return m_engine->dataset != nullptr;
}

void ActivationCalibrationRunner::setPlan(const Plan& plan)
{
    if (plan == m_plan && isRunning())
        return;
    m_plan = plan;
    if (!m_engine->model || !(needsCalibration(*m_engine->model, plan) || isStale(plan))) {
        cancel();
        return;
    }
    m_jobs.cancel(); // what the older plan's run still posts is dropped
    m_debounce.start();
}

void ActivationCalibrationRunner::cancel()
{
    const bool was = isRunning();
    m_debounce.stop();
    m_jobs.cancel();
    if (was)
        emit stopped();
}

const ActivationHistogram* ActivationCalibrationRunner::histogram(const std::string& tensor) const
{
    auto it = m_histograms.find(tensor);
    return it == m_histograms.end() ? nullptr : &it->second;
}

void ActivationCalibrationRunner::start()
{
    auto engine = m_engine;
    if (!engine->model || !engine->dataset)
        return;
    const Plan plan = m_plan;
    // The result is delivered (not posted), so the job is no longer busy when the plan
    // takes the ranges and comes back through setPlan.
    m_jobs.run(
        [this, engine, plan](const JobToken& token) -> std::optional<Calibration> {
            std::lock_guard lock(engine->running);
            const std::stop_token& stop = token.stopToken();
            auto fail = [this, &token](const std::string& message) -> std::optional<Calibration> {
                if (!token.cancelled())
                    token.post([this, m = QString::fromStdString(message)] { emit failed(m); });
                return std::nullopt;
            };
            try {
                RecoverySpec key = plan.recovery();
                key.batchNorm = key.bias = key.leastSquares = false; // images do not depend on the methods
                key.source.clear(); // the window calibrates on the images it evaluates on
                if (!engine->images || !(engine->imagesFor == key)) {
                    token.post([this, n = key.calibrationImages] { emit progress(0, 0, n); });
                    auto images = loadCalibrationImages(
                        *engine->model, *engine->dataset, engine->spec, key.calibrationImages, key.seed, stop);
                    if (!images)
                        return fail(images.error().message);
                    engine->images = std::move(*images);
                    engine->imagesFor = key;
                }
                CalibrationOptions options;
                options.method = plan.activationRanges().method;
                options.percentile = plan.activationRanges().percentile;
                const qint64 total = engine->images->count();
                options.progress = [this, &token, total](int pass, int64_t done) {
                    token.post([this, pass, done, total] { emit progress(pass, done, total); });
                };
                auto calibration = calibrateActivations(*engine->model, plan, *engine->images, options, stop);
                if (!calibration)
                    return fail(calibration.error().withContext("calibration").message);
                return std::move(*calibration);
            } catch (const std::exception& e) {
                return fail(std::string("unexpected error: ") + e.what());
            }
        },
        [this, plan](std::optional<Calibration> calibration) {
            if (!calibration)
                return;
            m_calibratedFor = measuredUnder(plan);
            for (auto& [tensor, h] : calibration->histograms)
                m_histograms[tensor] = std::move(h);
            emit calibrated(plan, calibration->ranges);
        });
}

} // namespace topiary
