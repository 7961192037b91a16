#include "CriteriaComparisonRunner.h"

#include "core/eval/Evaluator.h"
#include "core/model/Model.h"

#include <QtConcurrent/QtConcurrentRun>

namespace topiary {

CriteriaComparisonRunner::CriteriaComparisonRunner(QObject* parent)
    : QObject(parent)
{
}

CriteriaComparisonRunner::~CriteriaComparisonRunner()
{
    // The workers post to this object: they must be done before it goes.
    m_stop.request_stop();
    for (auto& worker : m_workers)
        worker.waitForFinished();
}

void CriteriaComparisonRunner::track(QFuture<void> future)
{
    std::erase_if(m_workers, [](const QFuture<void>& f) { return f.isFinished(); });
    m_workers.push_back(std::move(future));
}

void CriteriaComparisonRunner::compare(
    std::shared_ptr<const Model> model, std::string layer, double fraction, Plan base, FilterScorer scorer)
{
    const quint64 generation = ++m_compareGeneration;
    // Each request has its own worker; only the newest one's answer is shown.
    track(QtConcurrent::run([this, generation, model, layer = std::move(layer), fraction,
                                            base = std::move(base), scorer = std::move(scorer)] {
        auto post = [this](auto function) { QMetaObject::invokeMethod(this, std::move(function), Qt::QueuedConnection); };
        if (generation != m_compareGeneration.load())
            return; // a newer request is queued behind this one
        try {
            auto result = compareCriteria(*model, layer, fraction, base, scorer);
            if (result)
                post([this, generation, r = std::move(*result)] { onCompared(generation, true, r, {}); });
            else
                post([this, generation, error = QString::fromStdString(result.error().message)] {
                    onCompared(generation, false, {}, error);
                });
        } catch (const std::exception& e) {
            post([this, generation, error = QString::fromUtf8(e.what())] { onCompared(generation, false, {}, error); });
        }
    }));
}

bool CriteriaComparisonRunner::measure(std::shared_ptr<const Model> model, std::string layer, double fraction,
    Plan base, FilterScorer scorer, Dataset dataset, PreprocessSpec spec, int64_t imageLimit)
{
    if (m_measuring) {
        emit failed(tr("Criteria are already being measured."));
        return false;
    }
    m_measuring = true;
    m_hasMeasurement = false;
    m_measurement = {};
    const quint64 generation = ++m_measureGeneration;
    m_stop = std::stop_source {};
    EvaluationOptions evaluation;
    evaluation.limit = imageLimit;
    auto evaluator = std::make_shared<const Evaluator>(std::move(dataset), std::move(spec), evaluation);
    track(QtConcurrent::run([this, generation, model, evaluator, layer = std::move(layer), fraction,
                                            base = std::move(base), scorer = std::move(scorer),
                                            stop = m_stop.get_token()] {
        auto post = [this](auto function) { QMetaObject::invokeMethod(this, std::move(function), Qt::QueuedConnection); };
        try {
            auto result = measureCriteria(
                *model, layer, fraction, base, *evaluator, scorer,
                [&](const CriteriaMeasurement& soFar, size_t done, size_t total) {
                    post([this, generation, soFar, done, total] {
                        onMeasured(generation, soFar, static_cast<int>(done), static_cast<int>(total));
                    });
                },
                stop);
            if (result)
                post([this, generation, r = std::move(*result)] { onFinished(generation, true, r, {}); });
            else
                post([this, generation, error = QString::fromStdString(result.error().message)] {
                    onFinished(generation, false, {}, error);
                });
        } catch (const std::exception& e) {
            post([this, generation, error = QString::fromUtf8(e.what())] { onFinished(generation, false, {}, error); });
        }
    }));
    return true;
}

void CriteriaComparisonRunner::cancel()
{
    m_stop.request_stop();
}

void CriteriaComparisonRunner::reset()
{
    m_stop.request_stop();
    ++m_compareGeneration;
    ++m_measureGeneration;
    m_measuring = false; // the stopped worker's answer is dropped
    m_hasMeasurement = false;
    m_measurement = {};
}

void CriteriaComparisonRunner::onCompared(
    quint64 generation, bool ok, const CriteriaComparison& comparison, const QString& error)
{
    if (generation != m_compareGeneration)
        return;
    if (ok)
        emit compared(comparison);
    else
        emit failed(error);
}

void CriteriaComparisonRunner::onMeasured(quint64 generation, const CriteriaMeasurement& soFar, int done, int total)
{
    if (generation != m_measureGeneration)
        return;
    m_measurement = soFar;
    m_hasMeasurement = true;
    emit measured(soFar, done, total);
}

void CriteriaComparisonRunner::onFinished(
    quint64 generation, bool ok, const CriteriaMeasurement& result, const QString& error)
{
    if (generation != m_measureGeneration)
        return;
    m_measuring = false;
    if (!ok) {
        emit failed(error);
        emit finished(false);
        return;
    }
    m_measurement = result;
    m_hasMeasurement = true;
    emit measured(result, -1, -1);
    emit finished(!result.cancelled);
}

} // namespace topiary
