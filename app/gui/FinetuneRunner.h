// Analyze > Fine-tune: one training run of the document's model under its plan, in the
// trainer process (TrainerClient), with what the dialog shows while it runs: the training
// loss and the validation accuracy as series over epochs, the time left, and at the end
// the fine-tuned file, recorded in the Document as a Pareto point and a history step.
#pragma once

#include "core/plan/Plan.h"

#include <nlohmann/json.hpp>

#include <QObject>
#include <QString>
#include <QVector>

#include <cstdint>
#include <memory>

class QTemporaryDir;

namespace topiary {

class Document;
class TrainerClient;

// The options the dialog offers (the rest of TrainOptions keeps the trainer's defaults).
struct FinetuneSettings {
    int epochs = 1;
    double learningRate = 0.01;
    bool adam = false;
    bool distill = false;
    double temperature = 4.0;
    double alpha = 0.5;
    int rounds = 1; // iterative pruning
    int batchSize = 64;
    QString trainData;
    QString valData; // "" = none
    int64_t trainLimit = 0; // 0 = every image
    QString output; // the fine-tuned .onnx
    QString resume; // a checkpoint to continue from ("" = start afresh)
    int threads = 1;
};

class FinetuneRunner : public QObject {
    Q_OBJECT

public:
    explicit FinetuneRunner(Document* document, QObject* parent = nullptr);
    ~FinetuneRunner() override;

    // The trainer's options for the document's model, plan and preprocessing.
    nlohmann::json options(const FinetuneSettings& settings);
    // False with `finished` when there is no model or a run is going on.
    bool start(const FinetuneSettings& settings);
    bool isRunning() const;
    void stop();

    // Since the last start: x in epochs (fractional, over all rounds).
    const QVector<double>& lossX() const { return m_lossX; }
    const QVector<double>& loss() const { return m_loss; }
    const QVector<double>& accuracyX() const { return m_accuracyX; }
    const QVector<double>& accuracy() const { return m_accuracy; } // 0..1
    double secondsLeft() const { return m_secondsLeft; }
    double fractionDone() const { return m_fraction; }
    const QString& status() const { return m_status; }
    const QString& outputFile() const { return m_output; } // written, once finished ok
    int totalEpochs() const { return m_totalEpochs; }

signals:
    void changed(); // new points, time left or status
    void finished(bool ok, const QString& message);

private:
    void onEvent(const QJsonObject& e);

    Document* m_document;
    TrainerClient* m_client;
    std::unique_ptr<QTemporaryDir> m_files;
    Plan m_plan; // what is being trained
    QVector<double> m_lossX, m_loss, m_accuracyX, m_accuracy;
    double m_secondsLeft = 0.0;
    double m_fraction = 0.0;
    int m_epochs = 1;
    int m_totalEpochs = 1;
    bool m_done = false;
    QString m_status;
    QString m_output;
};

} // namespace topiary
