#include "SensitivityRunner.h"

#include "core/eval/Evaluator.h"
#include "core/model/Model.h"

#include <QtConcurrent/QtConcurrentRun>

namespace topiary {

SensitivityRunner::SensitivityRunner(QObject* parent)
    : QObject(parent)
{
}

SensitivityRunner::~SensitivityRunner()
{
    // The worker posts to this object: it must be done before the object goes.
    m_stop.request_stop();
    m_future.waitForFinished();
}

bool SensitivityRunner::start(std::shared_ptr<const Model> model, Dataset dataset, PreprocessSpec spec,
    SensitivityOptions options, int64_t imageLimit)
{
    if (m_running) {
        emit failed(tr("A sensitivity analysis is already running."));
        return false;
    }
    auto estimates = estimateSensitivity(*model, options);
    if (!estimates) {
        emit failed(QString::fromStdString(estimates.error().message));
        return false;
    }
    m_result = std::move(*estimates);
    m_options = options;
    m_hasResult = true;
    m_running = true;
    emit resultChanged();

    const quint64 run = ++m_run;
    m_stop = std::stop_source {};
    EvaluationOptions evaluation;
    evaluation.limit = imageLimit;
    auto evaluator = std::make_shared<const Evaluator>(std::move(dataset), std::move(spec), evaluation);
    m_future = QtConcurrent::run([this, run, model, evaluator, options, stop = m_stop.get_token()] {
        auto post = [this](auto function) { QMetaObject::invokeMethod(this, std::move(function), Qt::QueuedConnection); };
        try {
            auto result = analyseSensitivity(
                *model, *evaluator, options,
                [&](const SensitivityResult& soFar, size_t done, size_t total) {
                    post([this, run, soFar, done, total] {
                        onProgress(run, soFar, static_cast<int>(done), static_cast<int>(total));
                    });
                },
                stop);
            if (!result)
                post([this, run, error = QString::fromStdString(result.error().message)] {
                    onFinished(run, false, {}, error);
                });
            else
                post([this, run, r = std::move(*result)] { onFinished(run, true, r, {}); });
        } catch (const std::exception& e) {
            post([this, run, error = QString::fromUtf8(e.what())] { onFinished(run, false, {}, error); });
        }
    });
    return true;
}

void SensitivityRunner::cancel()
{
    m_stop.request_stop();
}

void SensitivityRunner::onProgress(quint64 run, const SensitivityResult& soFar, int done, int total)
{
    if (run != m_run)
        return;
    m_result = soFar;
    emit resultChanged();
    emit progressed(done, total);
}

void SensitivityRunner::onFinished(quint64 run, bool ok, const SensitivityResult& result, const QString& error)
{
    if (run != m_run)
        return;
    m_running = false;
    if (!ok) {
        emit failed(error);
        emit finished(false);
        return;
    }
    m_result = result;
    emit resultChanged();
    emit finished(!result.cancelled);
}

} // namespace topiary
