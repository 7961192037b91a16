#include "RecoveryRunner.h"

#include "ActivationCalibrationRunner.h"

#include "core/eval/Evaluator.h"
#include "core/model/Model.h"
#include "core/recover/CalibrationImages.h"

#include <mutex>
#include <optional>

namespace topiary {

namespace {
constexpr int kDefaultDebounceMs = 300;
} // namespace

// What a run needs, shared with the worker; replaced (not mutated) when the model or the
// dataset changes, so a run being stopped keeps what it started with.
struct RecoveryRunner::Engine {
    std::mutex running; // one run at a time (the cache below is the worker's)
    std::shared_ptr<const Model> model;
    std::shared_ptr<const Dataset> dataset;
    PreprocessSpec spec;
    // The calibration images of the last run, for the recovery spec they were loaded for.
    std::optional<CalibrationImages> images;
    RecoverySpec imagesFor;
};

RecoveryRunner::RecoveryRunner(QObject* parent)
    : QObject(parent)
    , m_engine(std::make_shared<Engine>())
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDefaultDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &RecoveryRunner::start);
}

RecoveryRunner::~RecoveryRunner() = default;

void RecoveryRunner::setModel(std::shared_ptr<const Model> model)
{
    auto next = std::make_shared<Engine>();
    next->model = std::move(model);
    next->dataset = m_engine->dataset;
    next->spec = m_engine->spec;
    cancel();
    m_engine = std::move(next);
    m_plan = Plan {};
}

void RecoveryRunner::setDataset(std::shared_ptr<const Dataset> dataset, PreprocessSpec spec)
{
    auto next = std::make_shared<Engine>();
    next->model = m_engine->model;
    next->dataset = std::move(dataset);
    next->spec = std::move(spec);
    cancel();
    m_engine = std::move(next);
    if (m_plan.recovery().any())
        m_debounce.start();
}

void RecoveryRunner::setPlan(const Plan& plan)
{
    if (plan == m_plan && (m_done || isRunning()))
        return;
    m_plan = plan;
    m_done = false;
    if (!plan.recovery().any() || plan.empty()) {
        cancel();
        return;
    }
    m_jobs.cancel(); // what the older plan's run still posts is dropped
    if (m_engine->model && ActivationCalibrationRunner::needsCalibration(*m_engine->model, plan)) {
        m_debounce.stop(); // its 8-bit activations have no ranges yet: the calibrated plan comes next
        return;
    }
    m_debounce.start();
}

void RecoveryRunner::cancel()
{
    const bool was = isRunning();
    m_debounce.stop();
    m_jobs.cancel();
    m_done = false;
    if (was)
        emit stopped();
}

void RecoveryRunner::start()
{
    auto engine = m_engine;
    if (!engine->model || !engine->dataset || !m_plan.recovery().any())
        return;
    const Plan plan = m_plan;
    m_jobs.run(
        [this, engine, plan](const JobToken& token) {
            std::lock_guard lock(engine->running);
            const std::stop_token& stop = token.stopToken();
            auto fail = [this, &token](const std::string& message) {
                token.post([this, m = QString::fromStdString(message)] { emit failed(m); });
            };
            try {
                const RecoverySpec& spec = plan.recovery();
                RecoverySpec key = spec;
                key.batchNorm = key.bias = key.leastSquares = false; // images do not depend on the methods
                if (!engine->images || !(engine->imagesFor == key)) {
                    token.post([this] { emit progress(0, 0, tr("loading calibration images")); });
                    std::optional<Dataset> source;
                    if (!spec.source.empty()) {
                        auto opened = Dataset::open(spec.source);
                        if (!opened)
                            return fail(opened.error().withContext("calibration data").message);
                        source = std::move(*opened);
                    }
                    auto images = loadCalibrationImages(*engine->model, source ? *source : *engine->dataset,
                        engine->spec, spec.calibrationImages, spec.seed, stop);
                    if (!images)
                        return token.cancelled() ? void() : fail(images.error().message);
                    engine->images = std::move(*images);
                    engine->imagesFor = key;
                }
                auto recovered = applyRecovered(*engine->model, plan, *engine->images, {}, nullptr, {},
                    [this, &token](int done, int total) {
                        token.post([this, done, total] { emit progress(done, total, tr("recovering layers")); });
                    },
                    stop);
                if (!recovered)
                    return token.cancelled() ? void() : fail(recovered.error().message);
                const Evaluator evaluator(*engine->dataset, engine->spec);
                auto run = evaluator.run(
                    recovered->applied.proto,
                    [this, &token](const EvaluationMetrics& m) {
                        token.post([this, done = m.processed, total = m.total] {
                            emit progress(static_cast<int>(done), static_cast<int>(total), tr("evaluating the recovered model"));
                        });
                    },
                    stop);
                if (!run)
                    return token.cancelled() ? void() : fail(run.error().message);
                if (run->metrics.cancelled)
                    return;
                token.post([this, plan, result = std::move(recovered->recovery), metrics = run->metrics]() mutable {
                    m_result = std::move(result);
                    m_recovered = metrics;
                    m_done = true;
                    emit finished(plan, metrics);
                });
            } catch (const std::exception& e) {
                fail(std::string("unexpected error: ") + e.what());
            }
        },
        [] {});
}

} // namespace topiary
