#include "SensitivityRunner.h"

#include "core/eval/Evaluator.h"
#include "core/model/Model.h"


namespace topiary {

SensitivityRunner::SensitivityRunner(QObject* parent)
    : QObject(parent)
{
}

SensitivityRunner::~SensitivityRunner() = default;

bool SensitivityRunner::start(std::shared_ptr<const Model> model, Dataset dataset, PreprocessSpec spec,
    SensitivityOptions options, int64_t imageLimit)
{
    if (m_running) {
        emit failed(tr("A sensitivity analysis is already running."));
        return false;
    }
    options.sequential.enabled = !m_exact;
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

    EvaluationOptions evaluation;
    evaluation.limit = imageLimit;
    auto evaluator = std::make_shared<const Evaluator>(std::move(dataset), std::move(spec), evaluation);
    m_jobs.run(
        [this, model, evaluator, options](const JobToken& token) {
            try {
                auto result = analyseSensitivity(
                    *model, *evaluator, options,
                    [&](const SensitivityResult& soFar, size_t done, size_t total) {
                        token.post([this, soFar, done, total] {
                            onProgress(soFar, static_cast<int>(done), static_cast<int>(total));
                        });
                    },
                    token.stopToken());
                if (!result)
                    return Outcome { false, {}, QString::fromStdString(result.error().message) };
                return Outcome { true, std::move(*result), {} };
            } catch (const std::exception& e) {
                return Outcome { false, {}, QString::fromUtf8(e.what()) };
            }
        },
        [this](const Outcome& outcome) { onFinished(outcome.ok, outcome.result, outcome.error); });
    return true;
}

void SensitivityRunner::cancel()
{
    // Stops after the current point; the run still ends with its result (the points so far).
    m_jobs.requestStop();
}

void SensitivityRunner::onProgress(const SensitivityResult& soFar, int done, int total)
{
    m_result = soFar;
    emit resultChanged();
    emit progressed(done, total);
}

void SensitivityRunner::onFinished(bool ok, const SensitivityResult& result, const QString& error)
{
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
