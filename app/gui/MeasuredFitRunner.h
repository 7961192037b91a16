// Fit to Budget for the window: the greedy proposal measured, with the plan's recovery when
// it has some, and adjusted until it keeps the allowed loss (core fitAndMeasure), on a
// worker (JobTracker) with progress and cancel, so a slider never waits for it. It measures
// on the images the sensitivity sweep measured on (the first `imageLimit` of the dataset's
// order), so predicted and measured losses speak of the same images; recovery calibrates on
// the plan's recovery source, else on the dataset, as the Recover switch does.
#pragma once

#include "core/analysis/MeasuredFit.h"
#include "core/analysis/Sensitivity.h"
#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"

#include "JobTracker.h"

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace topiary {

class CostModel;
class Model;
class StatsModel;
struct DependencyGroup;

class MeasuredFitRunner : public QObject {
    Q_OBJECT

public:
    // What one fit reads; the shared pointers keep the model it started on alive.
    struct Inputs {
        std::shared_ptr<const Model> model;
        std::shared_ptr<const CostModel> cost;
        std::shared_ptr<const std::vector<DependencyGroup>> groups;
        std::shared_ptr<const StatsModel> stats; // refers to model, cost and groups
        std::shared_ptr<const Dataset> dataset;
        PreprocessSpec preprocess;
        int64_t imageLimit = 0; // 0: every image
        SensitivityResult sensitivity;
        SensitivityOptions sweep;
        BudgetTarget target;
        double maxLoss = 0.01;
        int rounds = 6;
        RecoverySpec recovery; // none: measured as compressed
    };

    explicit MeasuredFitRunner(QObject* parent = nullptr);
    ~MeasuredFitRunner() override;

    // Starts a fit; the one running is dropped.
    void start(Inputs inputs);
    void cancel();
    bool isRunning() const { return m_jobs.isBusy(); }

    // The last finished fit; null before one (or after a cancel or failure).
    const MeasuredFit* result() const { return m_result ? &*m_result : nullptr; }

    // Tests: waits for the worker.
    void waitForWorker() { m_jobs.waitForAll(); }

signals:
    // step of steps: plans measured of at most rounds + 1 (0 of 0 while images load).
    void progress(int step, int steps, const QString& what);
    void finished(const topiary::MeasuredFit& fit);
    void stopped();
    void failed(const QString& message);

private:
    std::optional<MeasuredFit> m_result;
    JobTracker m_jobs; // last: its destructor waits for the worker, which posts to this
};

} // namespace topiary
