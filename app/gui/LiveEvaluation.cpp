#include "LiveEvaluation.h"

#include "core/eval/Evaluator.h"
#include "core/eval/PlanEvaluation.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"

#include <QFuture>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

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
    std::optional<Dataset> dataset;
    PreprocessSpec spec;
    EvaluationOptions options;
    QString description;
    // The core's re-evaluation policy (reference run, evaluators per cut, weights swapped
    // between plans); made by the first run, on the worker.
    std::optional<PlanEvaluation> evaluation;
    std::stop_source stop;
    QFuture<void> future;

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
}

LiveEvaluation::~LiveEvaluation()
{
    // The worker posts to this object: it must be done before the object goes.
    m_engine->stop.request_stop();
    m_engine->future.waitForFinished();
}

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
    m_engine->stop.request_stop();
    m_engine = std::move(next);
    m_plan = Plan {};
    m_hasOriginal = m_hasCurrent = m_originalDone = m_currentDone = false;
    ++m_generation;
    emit updated();
    if (hasDataset() && m_engine->model) {
        m_pending = true;
        m_debounce.start();
    }
}

void LiveEvaluation::setDataset(Dataset dataset, PreprocessSpec spec, int64_t limit)
{
    auto next = std::make_shared<Engine>();
    next->model = m_engine->model;
    next->layers = m_engine->layers;
    next->groups = m_engine->groups;
    next->description = QString::fromStdString(dataset.description());
    next->dataset = std::move(dataset);
    next->spec = std::move(spec);
    next->options.limit = limit;
    next->options.keepOutputs = true;
    m_engine->stop.request_stop();
    m_engine = std::move(next);
    m_hasOriginal = m_hasCurrent = m_originalDone = m_currentDone = false;
    ++m_generation;
    emit updated();
    if (m_engine->model) {
        m_pending = true;
        m_debounce.start();
    }
}

void LiveEvaluation::clear()
{
    m_engine->stop.request_stop();
    m_engine = std::make_shared<Engine>();
    m_hasOriginal = m_hasCurrent = m_originalDone = m_currentDone = false;
    m_pending = false;
    ++m_generation;
    emit updated();
}

bool LiveEvaluation::hasDataset() const
{
    return m_engine->dataset.has_value();
}

const Dataset* LiveEvaluation::dataset() const
{
    return m_engine->dataset ? &*m_engine->dataset : nullptr;
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
    m_pending = true;
    m_currentDone = false;
    if (m_running) {
        m_engine->stop.request_stop(); // the newest plan runs as soon as this one stops
        ++m_generation; // and what it still reports is about a plan no longer shown
    }
    m_debounce.start();
}

void LiveEvaluation::startNext()
{
    if (m_running || !m_pending || !hasDataset() || !m_engine->model)
        return;
    m_pending = false;
    m_running = true;
    m_currentDone = false;
    const quint64 generation = ++m_generation;
    auto engine = m_engine;
    engine->stop = std::stop_source {};
    const std::stop_token stop = engine->stop.get_token();
    const Plan plan = m_plan;

    // The worker posts to the GUI thread; the destructor waits for it, so `this` outlives it.
    engine->future = QtConcurrent::run([this, engine, plan, stop, generation]() {
        std::lock_guard lock(engine->running);
        auto progressOf = [this, generation](bool isOriginal) {
            return [this, generation, isOriginal](const EvaluationMetrics& metrics) {
                QMetaObject::invokeMethod(
                    this, [this, generation, isOriginal, metrics]() { onProgress(generation, isOriginal, metrics); },
                    Qt::QueuedConnection);
            };
        };
        auto end = [this, generation, &plan](bool ok, const EvaluationMetrics& metrics, const std::string& error) {
            QMetaObject::invokeMethod(
                this,
                [this, generation, plan, ok, metrics, message = QString::fromStdString(error)]() {
                    onFinished(generation, false, plan, ok, metrics, message);
                },
                Qt::QueuedConnection);
        };
        try {
            PlanEvaluation& evaluation = engine->evaluationFor();
            if (!evaluation.hasOriginal()) {
                auto result = evaluation.runOriginal(progressOf(true), stop);
                if (!result)
                    return end(false, {}, result.error().message);
                if (result->metrics.cancelled)
                    return end(false, {}, {});
                QMetaObject::invokeMethod(
                    this, [this, generation, metrics = result->metrics]() { onFinished(generation, true, {}, true, metrics, {}); },
                    Qt::QueuedConnection);
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
    });
}

void LiveEvaluation::onProgress(quint64 generation, bool isOriginal, const EvaluationMetrics& metrics)
{
    if (generation != m_generation)
        return;
    if (isOriginal) {
        m_original = metrics;
        m_hasOriginal = true;
    } else {
        m_current = metrics;
        m_hasCurrent = true;
    }
    emit updated();
}

void LiveEvaluation::onFinished(quint64 generation, bool isOriginal, const Plan& plan, bool ok,
    const EvaluationMetrics& metrics, const QString& error)
{
    const bool current = generation == m_generation;
    if (isOriginal) {
        if (current) {
            m_original = metrics;
            m_hasOriginal = m_originalDone = true;
            emit updated();
        }
        return;
    }
    m_running = false;
    if (current && ok) {
        m_current = metrics;
        m_hasCurrent = true;
        m_currentDone = !m_pending;
        emit updated();
        emit evaluated(plan, metrics);
    } else if (current && !error.isEmpty()) {
        m_hasCurrent = false;
        emit updated();
        emit failed(error);
    }
    if (m_pending && !m_debounce.isActive())
        startNext();
}

} // namespace topiary
