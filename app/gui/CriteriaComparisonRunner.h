// Analyze > Compare Criteria: computes a layer's rankings by each criterion (core
// compareCriteria: scoring reads the weights, FPGM is quadratic in the filters) and
// measures the accuracy of pruning it by each (core measureCriteria) on worker threads.
// Results come back to the GUI thread as queued calls; a newer request makes older
// results stale, and they are dropped. cancel() stops a measurement after the current
// run and keeps what was measured. The GUI thread never waits, except in the destructor
// for a run being stopped.
#pragma once

#include "core/analysis/CriteriaComparison.h"
#include "core/data/Dataset.h"
#include "core/plan/Plan.h"
#include "core/data/Preprocess.h"
#include "core/compress/PruneSelection.h"

#include "JobTracker.h"

#include <QObject>

#include <memory>
#include <string>

namespace topiary {

class Model;

class CriteriaComparisonRunner : public QObject {
    Q_OBJECT

public:
    explicit CriteriaComparisonRunner(QObject* parent = nullptr);
    ~CriteriaComparisonRunner() override;

    // Rankings of `layer` at `fraction` under `base`; ends with compared or failed. The
    // scorer (and what it refers to) must stay valid while it runs: capture owners in it.
    void compare(std::shared_ptr<const Model> model, std::string layer, double fraction, Plan base, FilterScorer scorer);
    // Accuracy per criterion on `imageLimit` images (0 = all); false (with failed) while
    // a measurement is going.
    bool measure(std::shared_ptr<const Model> model, std::string layer, double fraction, Plan base, FilterScorer scorer,
        Dataset dataset, PreprocessSpec spec, int64_t imageLimit);
    void cancel();
    // Drops everything pending (the model changed): no more signals from older requests.
    void reset();
    bool isMeasuring() const { return m_measuring; }
    const CriteriaMeasurement& measurement() const { return m_measurement; }
    bool hasMeasurement() const { return m_hasMeasurement; }

signals:
    void compared(const topiary::CriteriaComparison& comparison);
    void measured(const topiary::CriteriaMeasurement& soFar, int done, int total);
    void finished(bool completed);
    void failed(const QString& message);

private:
    void onMeasured(const CriteriaMeasurement& soFar, int done, int total);
    void onFinished(bool ok, const CriteriaMeasurement& result, const QString& error);

    bool m_measuring = false;
    CriteriaMeasurement m_measurement;
    bool m_hasMeasurement = false;
    // Last: their destructors wait for the workers, which post to this object.
    JobTracker m_compareJobs;
    JobTracker m_measureJobs;
};

} // namespace topiary
