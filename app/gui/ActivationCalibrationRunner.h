// Calibration of a plan's 8-bit activations for the window: when the plan quantizes some
// layer's input activations and a range its QDQ placement needs is missing, the ranges are
// calibrated (core/recover/ActivationCalibration) on the first N images of the Document's
// dataset (N and the seed from the plan's recovery section, as the CLI's --calib shares
// them), by the plan's calibration method, on a worker (JobTracker) with progress and
// cancel. Ranges this runner calibrated are calibrated again when the weights they were
// measured under change (a pruning or encoding edit, the calibration images), so the
// shown ranges follow the plan; ranges that came with a recipe or project are kept. A
// newer plan makes a running calibration stale; it starts after a short debounce, so a
// control never waits for it. The value histograms seen during the last
// calibration are kept, by range tensor, for the inspector's activation histogram.
#pragma once

#include "core/compress/ActivationRange.h"
#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/plan/Plan.h"

#include "JobTracker.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace topiary {

class Model;
struct Layer;

class ActivationCalibrationRunner : public QObject {
    Q_OBJECT

public:
    explicit ActivationCalibrationRunner(QObject* parent = nullptr);
    ~ActivationCalibrationRunner() override;

    // True when `plan` quantizes activations and some tensor its placement on `model`
    // quantizes has no range in plan.activationRanges() (evaluation and export need them).
    static bool needsCalibration(const Model& model, const Plan& plan);

    void setModel(std::shared_ptr<const Model> model);
    void setDataset(std::shared_ptr<const Dataset> dataset, PreprocessSpec spec);
    // The plan shown: calibrated (after the debounce) when it needs it or its ranges are
    // stale; otherwise what runs is cancelled.
    void setPlan(const Plan& plan);
    void cancel();

    bool isRunning() const { return m_jobs.isBusy() || m_debounce.isActive(); }
    bool hasDataset() const;
    // The plan quantizes activations on ranges this runner calibrated for other weights.
    bool isStale(const Plan& plan) const;
    void setDebounceMs(int ms) { m_debounce.setInterval(ms); }

    // The histogram of the values the range tensor `tensor` took during the last
    // calibration (null when it was not calibrated this session).
    const ActivationHistogram* histogram(const std::string& tensor) const;
    // The range tensor of a layer's input activations under `plan` ("" when the layer's
    // input is not quantized).
    static std::string inputRangeTensor(const Model& model, const Layer& layer, const Plan& plan);

    // Tests: waits for the worker.
    void waitForWorker() { m_jobs.waitForAll(); }

signals:
    // pass 0 (min/max) or 1 (histograms), images done of images.
    void progress(int pass, qint64 done, qint64 images);
    // Ranges calibrated for `plan` (which lacked them).
    void calibrated(const topiary::Plan& plan, const topiary::ActivationRanges& ranges);
    void stopped();
    void failed(const QString& message);

private:
    struct Engine;
    void start();

    std::shared_ptr<Engine> m_engine;
    QTimer m_debounce;
    Plan m_plan;
    std::optional<Plan> m_calibratedFor; // what the last calibrated ranges were measured under
    std::map<std::string, ActivationHistogram, std::less<>> m_histograms;
    JobTracker m_jobs; // last: its destructor waits for the worker, which posts to this
};

} // namespace topiary
