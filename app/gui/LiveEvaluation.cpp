#include "LiveEvaluation.h"

#include "ActivationCalibrationRunner.h"

#include "core/eval/Evaluator.h"
#include "core/eval/PlanEvaluation.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"


#include <mutex>
#include <optional>
#include <stop_token>

namespace topiary {

namespace {
constexpr int kDefaultDebounceMs = 150;
} // namespace

// Everything a run needs, shared with the worker. Replaced (not mutated) when the model or
// the dataset changes, so a run that is being stopped keeps what it started with.
struct LiveEvaluation::Engine {
    std::mutex running; // one run at a time: the evaluation is not thread-safe
    std::shared_ptr<const Model> model;
    std::shared_ptr<const std::vector<Layer>> layers;
    std::shared_ptr<const std::vector<DependencyGroup>> groups;
    std::shared_ptr<const Dataset> dataset;
    PreprocessSpec spec;
    EvaluationOptions options;
    QString description;
    // The core's re-evaluation policy (reference run, evaluators per cut, weights swapped
    // between plans); made by the first run, on the worker.
    std::optional<PlanEvaluation> evaluation;

    PlanEvaluation& evaluationFor()
    {
        if (!evaluation)
            evaluation.emplace(*model, *layers, *groups, Evaluator(*dataset, spec, options), PlanEvaluationOptions {});
        return *evaluation;
    }
};

LiveEvaluation::LiveEvaluation(QObject* parent)
    : QObject(parent)
    , m_engine(std::make_shared<Engine>())
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDefaultDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &LiveEvaluation::startNext);
    connect(&m_jobs, &JobTracker::jobFinished, this, &LiveEvaluation::onJobFinished);
}

// m_jobs, the last member, stops and waits for the worker before the rest goes.
LiveEvaluation::~LiveEvaluation() = default;

void LiveEvaluation::setModel(std::shared_ptr<const Model> model, std::shared_ptr<const std::vector<Layer>> layers,
    std::shared_ptr<const std::vector<DependencyGroup>> groups)
{
    auto next = std::make_shared<Engine>();
    next->model = std::move(model);
    next->layers = std::move(layers);
    next->groups = std::move(groups);
    next->dataset = m_engine->dataset;
    next->spec = m_engine->spec;
    next->options = m_engine->options;
    next->description = m_engine->description;
    m_jobs.cancel();
    m_engine = std::move(next);
    m_plan = Plan {};
    m_hasOriginal = m_hasCurrent = m_originalDone = m_currentDone = false;
    emit updated();
    if (hasDataset() && m_engine->model) {
        m_pending = true;
        m_debounce.start();
    }
}

void LiveEvaluation::setDataset(std::shared_ptr<const Dataset> dataset, PreprocessSpec spec, int64_t limit)
{
    auto next = std::make_shared<Engine>();
    next->model = m_engine->model;
    next->layers = m_engine->layers;
    next->groups = m_engine->groups;
    next->description = dataset ? QString::fromStdString(dataset->description()) : QString();
    next->dataset = std::move(dataset);
    next->spec = std::move(spec);
    next->options.limit = limit;
    next->options.keepOutputs = true;
    m_jobs.cancel();
    m_engine = std::move(next);
    m_hasOriginal = m_hasCurrent = m_originalDone = m_currentDone = false;
    emit updated();
    if (m_engine->model) {
        m_pending = true;
        m_debounce.start();
    }
}

void LiveEvaluation::clear()
{
    m_jobs.cancel();
    m_engine = std::make_shared<Engine>();
    m_hasOriginal = m_hasCurrent = m_originalDone = m_currentDone = false;
    m_pending = false;
    emit updated();
}

bool LiveEvaluation::hasDataset() const
{
    return m_engine->dataset != nullptr;
}

const Dataset* LiveEvaluation::dataset() const
{
    return m_engine->dataset.get();
}

const PreprocessSpec& LiveEvaluation::spec() const
{
    return m_engine->spec;
}

QString LiveEvaluation::datasetDescription() const
{
    return m_engine->description;
}

void LiveEvaluation::setPlan(const Plan& plan)
{
    if (plan == m_plan && (m_currentDone || m_pending))
        return;
    m_plan = plan;
    if (!hasDataset() || !m_engine->model)
        return;
    if (ActivationCalibrationRunner::needsCalibration(*m_engine->model, plan)) {
        // Its 8-bit activations have no ranges yet: the calibrated plan comes next.
        m_pending = false;
        m_debounce.stop();
        if (m_running)
            m_jobs.cancel();
        m_hasCurrent = m_currentDone = false;
        emit updated();
        return;
    }
    m_pending = true;
    m_currentDone = false;
    if (m_running)
        m_jobs.cancel(); // the newest plan runs as soon as this one stops; what it still reports is dropped
    m_debounce.start();
}

void LiveEvaluation::startNext()
{
    if (m_running || !m_pending || !hasDataset() || !m_engine->model)
        return;
    m_pending = false;
    m_running = true;
    m_currentDone = false;
    auto engine = m_engine;
    const Plan plan = m_plan;

    // What a stale run (the plan, model or dataset changed) still posts is dropped by the
    // tracker; jobFinished then starts the newest plan (onJobFinished).
    m_jobs.run(
        [this, engine, plan](const JobToken& token) {
            std::lock_guard lock(engine->running);
            const std::stop_token& stop = token.stopToken();
            auto progressOf = [this, &token](bool isOriginal) {
                return [this, &token, isOriginal](const EvaluationMetrics& metrics) {
                    token.post([this, isOriginal, metrics]() { onProgress(isOriginal, metrics); });
                };
            };
            auto end = [this, &token, &plan](bool ok, const EvaluationMetrics& metrics, const std::string& error) {
                token.post([this, plan, ok, metrics, message = QString::fromStdString(error)]() {
                    onFinished(false, plan, ok, metrics, message);
                });
            };
            try {
                PlanEvaluation& evaluation = engine->evaluationFor();
                if (!evaluation.hasOriginal()) {
                    auto result = evaluation.runOriginal(progressOf(true), stop);
                    if (!result)
                        return end(false, {}, result.error().message);
                    if (result->metrics.cancelled)
                        return end(false, {}, {});
                    token.post([this, metrics = result->metrics]() { onFinished(true, {}, true, metrics, {}); });
                }
                auto result = evaluation.run(plan, progressOf(false), stop);
                if (!result)
                    return end(false, {}, result.error().message);
                if (result->metrics.cancelled)
                    return end(false, {}, {});
                end(true, result->metrics, {});
            } catch (const std::exception& e) {
                // OpenCV and protobuf are caught inside the core; this is the last line.
                end(false, {}, std::string("unexpected error: ") + e.what());
            }
        },
        [] {});
}

void LiveEvaluation::onJobFinished()
{
    m_running = false;
    if (m_pending && !m_debounce.isActive())
        startNext();
}

void LiveEvaluation::onProgress(bool isOriginal, const EvaluationMetrics& metrics)
{
    if (isOriginal) {
        m_original = metrics;
        m_hasOriginal = true;
    } else {
        m_current = metrics;
        m_hasCurrent = true;
    }
    emit updated();
}

void LiveEvaluation::onFinished(bool isOriginal, const Plan& plan, bool ok, const EvaluationMetrics& metrics,
    const QString& error)
{
    // Only the current run's calls arrive here (the tracker drops stale ones).
    if (isOriginal) {
        m_original = metrics;
        m_hasOriginal = m_originalDone = true;
        emit updated();
        return;
    }
    if (ok) {
        m_current = metrics;
        m_hasCurrent = true;
        m_currentDone = !m_pending;
        emit updated();
        emit evaluated(plan, metrics);
    } else if (!error.isEmpty()) {
        m_hasCurrent = false;
        emit updated();
        emit failed(error);
    }
}

} // namespace topiary
