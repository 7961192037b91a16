// Fit to Budget for the window: the greedy proposal measured, with the plan's recovery when
// it has some, and adjusted until it keeps the allowed loss (core fitAndMeasure), on a
// worker (JobTracker) with progress and cancel, so a slider never waits for it. It measures
// on the images the sensitivity sweep measured on (the first `imageLimit` of the dataset's
// order), so predicted and measured losses speak of the same images; recovery calibrates on
// the plan's recovery source, else on the dataset, as the Recover switch does. Asked to, it
// first measures the sweep again after recovery (core recoverSweep) and proposes from that;
// the recovered sweep is kept for the next fit on the same sweep, model and recovery.
#pragma once

#include "core/analysis/MeasuredFit.h"
#include "core/analysis/RecoveredSweep.h"
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
        // With recovery: propose from the sweep measured after recovery. sweepId names the
        // sensitivity run (a new run, a new id), so a kept recovered sweep is reused only for it.
        bool recoveredSweep = false;
        uint64_t sweepId = 0;
    };

    explicit MeasuredFitRunner(QObject* parent = nullptr);
    ~MeasuredFitRunner() override;

    // Starts a fit; the one running is dropped.
    void start(Inputs inputs);
    void cancel();
    bool isRunning() const { return m_jobs.isBusy(); }

    // The last finished fit; null before one (or after a cancel or failure).
    const MeasuredFit* result() const { return m_result ? &*m_result : nullptr; }
    // The last sweep measured after recovery; null before a fit asked for one.
    const RecoveredSweep* recoveredSweep() const { return m_kept ? &m_kept->sweep : nullptr; }

    // Tests: waits for the worker.
    void waitForWorker() { m_jobs.waitForAll(); }

signals:
    // step of steps: plans measured of at most rounds + 1 (0 of 0 while images load).
    void progress(int step, int steps, const QString& what);
    void finished(const topiary::MeasuredFit& fit);
    void stopped();
    void failed(const QString& message);

private:
    // A recovered sweep and what it was measured for.
    struct KeptSweep {
        std::shared_ptr<const Model> model;
        uint64_t sweepId = 0;
        int64_t imageLimit = 0;
        RecoverySpec recovery;
        RecoveredSweep sweep;
        bool fits(const Inputs& in) const
        {
            return model == in.model && sweepId == in.sweepId && imageLimit == in.imageLimit && recovery == in.recovery;
        }
    };

    std::optional<MeasuredFit> m_result;
    std::shared_ptr<const KeptSweep> m_kept; // read by the worker of the next fit, written on the GUI thread
    JobTracker m_jobs; // last: its destructor waits for the worker, which posts to this
};

} // namespace topiary
