#include "CriteriaComparisonRunner.h"

#include "core/eval/Evaluator.h"
#include "core/model/Model.h"


namespace topiary {

CriteriaComparisonRunner::CriteriaComparisonRunner(QObject* parent)
    : QObject(parent)
{
}

CriteriaComparisonRunner::~CriteriaComparisonRunner() = default;

void CriteriaComparisonRunner::compare(
    std::shared_ptr<const Model> model, std::string layer, double fraction, Plan base, FilterScorer scorer)
{
    // Each request has its own worker; only the newest one's answer is shown.
    m_compareJobs.run(
        [model, layer = std::move(layer), fraction, base = std::move(base), scorer = std::move(scorer)](
            const JobToken& token) -> Result<CriteriaComparison> {
            // A request superseded before its worker starts is skipped, so a dragged
            // fraction or a Step animation does not queue one full comparison per move.
            if (token.cancelled())
                return fail("superseded");
            try {
                return compareCriteria(*model, layer, fraction, base, scorer);
            } catch (const std::exception& e) {
                return fail(e.what());
            }
        },
        [this](const Result<CriteriaComparison>& result) {
            if (result)
                emit compared(*result);
            else
                emit failed(QString::fromStdString(result.error().message));
        });
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
    EvaluationOptions evaluation;
    evaluation.limit = imageLimit;
    auto evaluator = std::make_shared<const Evaluator>(std::move(dataset), std::move(spec), evaluation);
    m_measureJobs.run(
        [this, model, evaluator, layer = std::move(layer), fraction, base = std::move(base),
            scorer = std::move(scorer)](const JobToken& token) -> Result<CriteriaMeasurement> {
            try {
                return measureCriteria(
                    *model, layer, fraction, base, *evaluator, scorer,
                    [&](const CriteriaMeasurement& soFar, size_t done, size_t total) {
                        token.post([this, soFar, done, total] {
                            onMeasured(soFar, static_cast<int>(done), static_cast<int>(total));
                        });
                    },
                    token.stopToken());
            } catch (const std::exception& e) {
                return fail(e.what());
            }
        },
        [this](const Result<CriteriaMeasurement>& result) {
            if (result)
                onFinished(true, *result, {});
            else
                onFinished(false, {}, QString::fromStdString(result.error().message));
        });
    return true;
}

void CriteriaComparisonRunner::cancel()
{
    m_measureJobs.requestStop(); // what was measured so far still arrives
}

void CriteriaComparisonRunner::reset()
{
    m_compareJobs.cancel();
    m_measureJobs.cancel();
    m_measuring = false; // the stopped worker's answer is dropped
    m_hasMeasurement = false;
    m_measurement = {};
}

void CriteriaComparisonRunner::onMeasured(const CriteriaMeasurement& soFar, int done, int total)
{
    m_measurement = soFar;
    m_hasMeasurement = true;
    emit measured(soFar, done, total);
}

void CriteriaComparisonRunner::onFinished(bool ok, const CriteriaMeasurement& result, const QString& error)
{
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
