// Recovery for the window: the plan's calibration-based recovery (core/recover) and the
// evaluation of the recovered model, on a worker (JobTracker), with progress and cancel.
// A new plan makes the running job stale and starts after a short debounce, so a slider
// never waits for it. The calibration images are loaded once per model, dataset and
// recovery spec and kept (they come from the Document's dataset: the window's recovery
// calibrates on the images it evaluates on; the CLI can keep them apart).
#pragma once

#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/eval/EvaluationResult.h"
#include "core/plan/Plan.h"
#include "core/recover/Recovery.h"

#include "JobTracker.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>

namespace topiary {

class Model;

class RecoveryRunner : public QObject {
    Q_OBJECT

public:
    explicit RecoveryRunner(QObject* parent = nullptr);
    ~RecoveryRunner() override;

    void setModel(std::shared_ptr<const Model> model);
    void setDataset(std::shared_ptr<const Dataset> dataset, PreprocessSpec spec);
    // The plan to recover (its recovery section says how); a plan without recovery methods
    // or without compression cancels what runs and clears the result. A plan whose 8-bit
    // activations are not calibrated yet waits (the calibrated plan follows).
    void setPlan(const Plan& plan);
    void cancel();

    bool isRunning() const { return m_jobs.isBusy() || m_debounce.isActive(); }
    int debounceMs() const { return m_debounce.interval(); }
    void setDebounceMs(int ms) { m_debounce.setInterval(ms); }

    // The last finished recovery (of plan()), and its evaluation; null before one.
    const Plan& plan() const { return m_plan; }
    const RecoveryResult* result() const { return m_done ? &m_result : nullptr; }
    const EvaluationMetrics* recovered() const { return m_done ? &m_recovered : nullptr; }

    // Tests: waits for the worker.
    void waitForWorker() { m_jobs.waitForAll(); }

signals:
    // step of steps: layers repaired, then images evaluated (steps may grow once).
    void progress(int step, int steps, const QString& what);
    // A recovery and its evaluation finished for `plan`.
    void finished(const topiary::Plan& plan, const topiary::EvaluationMetrics& recovered);
    // Cancelled (by cancel() or the plan leaving recovery), or cleared.
    void stopped();
    void failed(const QString& message);

private:
    struct Engine;
    void start();

    std::shared_ptr<Engine> m_engine;
    QTimer m_debounce;
    Plan m_plan;
    bool m_done = false;
    RecoveryResult m_result;
    EvaluationMetrics m_recovered;
    JobTracker m_jobs; // last: its destructor waits for the worker, which posts to this
};

} // namespace topiary
