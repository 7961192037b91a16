// After File > Export: how fast the written file runs beside the original, measured in
// OpenCV dnn (the runtime inside Topiary) on this machine, at batch 1 and, when the
// model's batch is free, at the evaluation batch: median of repeated runs after warm-up,
// per image, with the threads stated. Runs on a worker; the window never waits for it.
// A file OpenCV cannot run (8-bit activations as QDQ pairs, which only ONNX Runtime
// fuses) is said so, with the command that times it in ONNX Runtime.
#pragma once

#include <QObject>
#include <QString>

#include <memory>

namespace topiary {

class JobTracker;
class Model;

class ExportTiming : public QObject {
    Q_OBJECT

public:
    explicit ExportTiming(QObject* parent = nullptr);

    // Times `original` and the file at `exported`; ends with finished(). A new call
    // replaces a running one.
    void time(std::shared_ptr<const Model> original, const QString& exported, int evaluationBatch = 32,
        int runs = 10);
    bool isRunning() const;
    void cancel();

signals:
    // ok: both were timed; text says the numbers (or why the file could not be timed).
    void finished(bool ok, const QString& text);

private:
    JobTracker* m_jobs;
};

} // namespace topiary
