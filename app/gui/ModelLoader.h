// Loads a model off the GUI thread: Model::load (or fromBytes for a bundled resource) and
// its CostModel run as a JobTracker job; the result arrives on the GUI thread, which
// never waits. Starting a new load or cancelling makes the running one
// stale: its result is dropped when it arrives.
#pragma once

#include "Document.h"

#include <QObject>
#include <QString>

namespace topiary {

class JobTracker;

class ModelLoader : public QObject {
    Q_OBJECT

public:
    explicit ModelLoader(QObject* parent = nullptr);
    ~ModelLoader() override;

    // An .onnx file on disk; external data is read from its folder.
    void loadFile(const QString& path);
    // A model embedded in the Qt resources (":/sample/...").
    void loadResource(const QString& resourcePath);
    // Drops the running load; emits canceled if one was running.
    void cancel();

    bool isBusy() const { return m_busy; }

signals:
    void started(const QString& displayName);
    void loaded(const topiary::LoadedModel& result);
    void failed(const QString& path, const QString& message);
    void canceled();

private:
    template <class Job>
    void start(const QString& path, Job job);

    JobTracker* m_jobs;
    bool m_busy = false;
};

} // namespace topiary
