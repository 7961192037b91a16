// Analyze > Taylor Importance: asks the trainer process for the Taylor scores of every
// layer on the document's labelled dataset (or takes them from the TaylorCache) and hands
// them to the Document, whose scorer then ranks by Taylor in the inspector's heatmap side
// bar, the criteria comparison and the plan.
#pragma once

#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>

class QTemporaryDir;

namespace topiary {

class Document;
class TrainerClient;

class TaylorRunner : public QObject {
    Q_OBJECT

public:
    explicit TaylorRunner(Document* document, QObject* parent = nullptr);
    ~TaylorRunner() override;

    // Starts (or answers from the cache at once); false with `failed` when there is no
    // model, no labelled dataset, or a run is going on.
    bool run(int64_t images = 512);
    bool isRunning() const;
    void cancel();

signals:
    void progress(int batch, int batches);
    void finished(bool ok, const QString& message);

private:
    Document* m_document;
    TrainerClient* m_client;
    std::unique_ptr<QTemporaryDir> m_files; // bundled model or images, copied for the trainer
    QString m_modelFile, m_dataFile;
    int m_batches = 0;
};

} // namespace topiary
