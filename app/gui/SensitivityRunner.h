// Analyze > Sensitivity: runs the per-layer sweep (core analyseSensitivity) on a worker
// thread. The data-free estimates arrive at once, then every measured point as it is
// done; cancel() stops after the current point and keeps what was measured. One run at
// a time; the GUI thread never waits, except in the destructor for a run being stopped.
// The window's runs use sequential stopping (core SequentialStop, tolerance 1 point) unless
// set exact: a point stops once its reading against the tolerance is decided.
#pragma once

#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/analysis/Sensitivity.h"

#include "JobTracker.h"

#include <QObject>

#include <memory>


namespace topiary {

class Model;

class SensitivityRunner : public QObject {
    Q_OBJECT

public:
    explicit SensitivityRunner(QObject* parent = nullptr);
    ~SensitivityRunner() override;

    // False (with failed emitted) when a run is going or the estimates cannot be made.
    bool start(std::shared_ptr<const Model> model, Dataset dataset, PreprocessSpec spec, SensitivityOptions options,
        int64_t imageLimit);
    void cancel();
    // Exact: every point on every image; otherwise (the default) sequential stopping.
    void setExact(bool exact) { m_exact = exact; }
    bool isExact() const { return m_exact; }
    bool isRunning() const { return m_running; }
    // The latest result (estimates, then measured points), kept after the run for fitting.
    const SensitivityResult& result() const { return m_result; }
    const SensitivityOptions& options() const { return m_options; }
    bool hasResult() const { return m_hasResult; }

signals:
    void progressed(int done, int total);
    void resultChanged();
    void finished(bool completed);
    void failed(const QString& message);

private:
    struct Outcome {
        bool ok = false;
        SensitivityResult result;
        QString error;
    };
    void onProgress(const SensitivityResult& soFar, int done, int total);
    void onFinished(bool ok, const SensitivityResult& result, const QString& error);

    SensitivityResult m_result;
    SensitivityOptions m_options;
    bool m_hasResult = false;
    bool m_running = false;
    bool m_exact = false;
    JobTracker m_jobs; // last: its destructor waits for the worker, which posts to this

};

} // namespace topiary
