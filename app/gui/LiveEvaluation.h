// The accuracy estimate that follows the plan, on a worker thread. What runs is the core's
// PlanEvaluation (the original once per dataset; each plan from the cut before its first
// changed layer, so a slider moved in the last third of a network reruns only that third,
// in a net whose weights are swapped between plans). This class holds only the Qt side:
// debouncing, the worker, stale results. Plan changes are debounced; a change
// while a run is going stops it (its partial numbers are dropped) and the newest plan
// runs next. Progress arrives batch by batch, so the estimate and its interval tighten as
// images come in. The GUI thread never waits: results arrive as queued signals.
#pragma once

#include "core/data/Dataset.h"
#include "core/eval/EvaluationResult.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"

#include "JobTracker.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <memory>
#include <vector>

namespace topiary {

class Model;
struct Layer;
struct DependencyGroup;

class LiveEvaluation : public QObject {
    Q_OBJECT
    Q_PROPERTY(int debounceMs READ debounceMs WRITE setDebounceMs)

public:
    explicit LiveEvaluation(QObject* parent = nullptr);
    ~LiveEvaluation() override;

    // The model plans are applied to; drops the dataset's results (not the dataset).
    void setModel(std::shared_ptr<const Model> model, std::shared_ptr<const std::vector<Layer>> layers,
        std::shared_ptr<const std::vector<DependencyGroup>> groups);
    // The images to evaluate on (the Document's); starts the original's evaluation.
    // `limit` caps the images per run (0 = all).
    void setDataset(std::shared_ptr<const Dataset> dataset, PreprocessSpec spec, int64_t limit = 0);
    void clear();
    bool hasDataset() const;
    // The dataset and preprocessing evaluations use (null/defaults without a dataset): the
    // Document's, which the other analyses read, so every number is on the same images.
    const Dataset* dataset() const;
    const PreprocessSpec& spec() const;
    QString datasetDescription() const;

    // The plan to estimate; runs after the debounce interval. A plan with 8-bit activations
    // that lack calibrated ranges is not run (the calibrated plan follows).
    void setPlan(const Plan& plan);
    bool isRunning() const { return m_running; }
    // Nothing running or waiting to run (screenshots and tests wait for this).
    bool isIdle() const { return !m_running && !m_pending; }

    int debounceMs() const { return m_debounce.interval(); }
    void setDebounceMs(int ms) { m_debounce.setInterval(ms); }

    // Latest numbers (processed may be below total while running).
    const EvaluationMetrics* original() const { return m_hasOriginal ? &m_original : nullptr; }
    const EvaluationMetrics* current() const { return m_hasCurrent ? &m_current : nullptr; }
    bool currentDone() const { return m_currentDone; }

signals:
    // The original's or the current plan's numbers changed (progress or completion).
    void updated();
    // A plan's evaluation completed: for the Pareto history.
    void evaluated(const topiary::Plan& plan, const topiary::EvaluationMetrics& metrics);
    void failed(const QString& message);

private:
    struct Engine;
    void startNext();
    void onJobFinished();
    void onProgress(bool isOriginal, const EvaluationMetrics& metrics);
    void onFinished(bool isOriginal, const Plan& plan, bool ok, const EvaluationMetrics& metrics, const QString& error);

    std::shared_ptr<Engine> m_engine;
    QTimer m_debounce;
    Plan m_plan;
    bool m_pending = false;
    bool m_running = false;
    EvaluationMetrics m_original;
    EvaluationMetrics m_current;
    bool m_hasOriginal = false;
    bool m_hasCurrent = false;
    bool m_originalDone = false;
    bool m_currentDone = false;
    JobTracker m_jobs; // last: its destructor waits for the worker, which posts to this
};

} // namespace topiary
