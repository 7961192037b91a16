#include "ExportTiming.h"

#include "JobTracker.h"

#include "core/eval/ForwardTiming.h"
#include "core/model/Model.h"

#include <QFileInfo>
#include <QStringList>

#include <vector>

namespace topiary {

namespace {

struct Outcome {
    bool ok = false;
    QString error;
    bool exportedFailed = false; // the error is the exported file's (OpenCV cannot run it)
    std::vector<ForwardTiming> original;
    std::vector<ForwardTiming> exported;
};

// Three significant digits down to 0.001 ms: a small model runs in hundredths of a
// millisecond per image, where two decimals would round away the difference shown.
QString ms(double v)
{
    return QString::number(v, 'f', v < 0.1 ? 4 : v < 1.0 ? 3 : v < 10.0 ? 2 : 1);
}

} // namespace

ExportTiming::ExportTiming(QObject* parent)
    : QObject(parent)
    , m_jobs(new JobTracker(this))
{
}

bool ExportTiming::isRunning() const
{
    return m_jobs->isBusy();
}

void ExportTiming::cancel()
{
    m_jobs->cancel();
}

void ExportTiming::time(std::shared_ptr<const Model> original, const QString& exported, int evaluationBatch, int runs)
{
    const QString name = QFileInfo(exported).fileName();
    m_jobs->run(
        [original, file = exported.toStdString(), evaluationBatch, runs](const JobToken& token) {
            Outcome outcome;
            std::vector<int> batches { 1 };
            if (hasFreeBatch(*original) && evaluationBatch > 1)
                batches.push_back(evaluationBatch);
            auto written = Model::load(file);
            if (!written) {
                outcome.error = QString::fromStdString(written.error().message);
                outcome.exportedFailed = true;
                return outcome;
            }
            for (int batch : batches) {
                const ForwardTimingOptions options { batch, runs, 2 };
                auto before = timeForward(*original, options, token.stopToken());
                if (!before) {
                    outcome.error = QString::fromStdString(before.error().message);
                    return outcome;
                }
                auto after = timeForward(*written, options, token.stopToken());
                if (!after) {
                    outcome.error = QString::fromStdString(after.error().message);
                    outcome.exportedFailed = true;
                    return outcome;
                }
                outcome.original.push_back(*before);
                outcome.exported.push_back(*after);
            }
            outcome.ok = true;
            return outcome;
        },
        [this, name, runs](const Outcome& outcome) {
            if (!outcome.ok) {
                emit finished(false,
                    outcome.exportedFailed
                        ? tr("OpenCV cannot run %1 (%2); time it in ONNX Runtime with: topiary-cli bench %1")
                              .arg(name, outcome.error)
                        : tr("Could not time the original model in OpenCV: %1").arg(outcome.error));
                return;
            }
            QStringList parts;
            for (size_t i = 0; i < outcome.original.size(); ++i) {
                const double before = outcome.original[i].medianMsPerImage();
                const double after = outcome.exported[i].medianMsPerImage();
                parts << tr("batch %1: %2 \u2192 %3 ms per image (%4\u00d7)")
                             .arg(outcome.original[i].batch)
                             .arg(ms(before), ms(after), QString::number(after / before, 'f', 2));
            }
            const int threads = outcome.original.front().threads;
            const QString head = threads == 1
                ? tr("Latency of %1 in OpenCV dnn, 1 thread, median of %2 runs: ").arg(name).arg(runs)
                : tr("Latency of %1 in OpenCV dnn, %2 threads, median of %3 runs: ").arg(name).arg(threads).arg(runs);
            emit finished(true, head + parts.join(QStringLiteral("; ")));
        });
}

} // namespace topiary
