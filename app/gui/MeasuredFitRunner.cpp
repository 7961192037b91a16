#include "MeasuredFitRunner.h"

#include "core/analysis/Stats.h"
#include "core/eval/Evaluator.h"
#include "core/model/Model.h"
#include "core/recover/CalibrationImages.h"

namespace topiary {

MeasuredFitRunner::MeasuredFitRunner(QObject* parent)
    : QObject(parent)
{
}

MeasuredFitRunner::~MeasuredFitRunner() = default;

void MeasuredFitRunner::cancel()
{
    const bool was = isRunning();
    m_jobs.cancel();
    if (was)
        emit stopped();
}

void MeasuredFitRunner::start(Inputs inputs)
{
    m_result.reset();
    auto shared = std::make_shared<const Inputs>(std::move(inputs));
    std::shared_ptr<const KeptSweep> kept = m_kept && m_kept->fits(*shared) ? m_kept : nullptr;
    m_jobs.run(
        [this, in = std::move(shared), kept = std::move(kept)](const JobToken& token) mutable {
            const std::stop_token& stop = token.stopToken();
            auto fail = [this, &token](const std::string& message) {
                if (!token.cancelled())
                    token.post([this, m = QString::fromStdString(message)] { emit failed(m); });
            };
            try {
                MeasuredFitOptions options;
                options.maxLoss = in->maxLoss;
                options.rounds = in->rounds;
                std::optional<CalibrationImages> calibration;
                if (in->recovery.any()) {
                    token.post([this] { emit progress(0, 0, tr("loading calibration images")); });
                    std::optional<Dataset> source;
                    if (!in->recovery.source.empty()) {
                        auto opened = Dataset::open(in->recovery.source);
                        if (!opened)
                            return fail(opened.error().withContext("calibration data").message);
                        source = std::move(*opened);
                    }
                    auto images = loadCalibrationImages(*in->model, source ? *source : *in->dataset, in->preprocess,
                        in->recovery.calibrationImages, in->recovery.seed, stop);
                    if (!images)
                        return fail(images.error().message);
                    calibration = std::move(*images);
                    options.recovery = in->recovery;
                    options.calibration = &*calibration;
                }
                EvaluationOptions evaluation;
                evaluation.limit = in->imageLimit;
                const Evaluator evaluator(*in->dataset, in->preprocess, evaluation);
                const SensitivityResult* sweep = &in->sensitivity;
                if (in->recoveredSweep && calibration) {
                    if (!kept) {
                        token.post([this] { emit progress(0, 0, tr("measuring the sweep after recovery")); });
                        RecoveredSweepOptions recovery;
                        recovery.recovery = in->recovery;
                        recovery.calibration = &*calibration;
                        auto measured = recoverSweep(*in->model, in->sensitivity, in->sweep, evaluator, recovery,
                            [this, &token](size_t done, size_t total) {
                                token.post([this, done, total] {
                                    emit progress(0, 0,
                                        tr("measuring the sweep after recovery: %1 of %2 points")
                                            .arg(static_cast<qulonglong>(done))
                                            .arg(static_cast<qulonglong>(total)));
                                });
                            },
                            stop);
                        if (!measured)
                            return fail(measured.error().withContext("sweep after recovery").message);
                        kept = std::make_shared<const KeptSweep>(
                            KeptSweep { in->model, in->sweepId, in->imageLimit, in->recovery, std::move(*measured) });
                        token.post([this, kept] { m_kept = kept; });
                    }
                    sweep = &kept->sweep.recovered;
                }
                const int steps = in->rounds + 1;
                token.post([this, steps] { emit progress(0, steps, tr("measuring the proposed plan")); });
                auto fit = fitAndMeasure(*in->model, *in->stats, *sweep, in->sweep, in->target, evaluator,
                    options,
                    [this, &token](const FitAttempt&, int round, int rounds) {
                        token.post([this, done = round + 1, steps = rounds + 1] {
                            emit progress(done, steps, tr("measuring adjusted plans"));
                        });
                    },
                    stop);
                if (!fit)
                    return fail(fit.error().message);
                token.post([this, fit = std::move(*fit)] {
                    m_result = fit;
                    emit finished(*m_result);
                });
            } catch (const std::exception& e) {
                fail(std::string("unexpected error: ") + e.what());
            }
        },
        [] {});
}

} // namespace topiary
