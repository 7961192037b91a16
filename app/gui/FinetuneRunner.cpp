#include "FinetuneRunner.h"

#include "Document.h"
#include "TrainerClient.h"

#include "core/data/Preprocess.h"
#include "core/plan/Recipe.h"

#include <QFileInfo>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>

namespace topiary {

FinetuneRunner::FinetuneRunner(Document* document, QObject* parent)
    : QObject(parent)
    , m_document(document)
    , m_client(new TrainerClient(this))
{
    connect(m_client, &TrainerClient::event, this, &FinetuneRunner::onEvent);
    connect(m_client, &TrainerClient::finished, this, [this](int exitCode, const QString& error) {
        if (m_done) { // the trainer has exited after its result: the dialog's buttons change
            emit changed();
            return;
        }
        m_status = exitCode == 3 ? tr("Stopped; the last checkpoint is kept") : error;
        emit changed();
        emit finished(false, m_status.isEmpty() ? tr("The trainer ended without a result") : m_status);
    });
}

FinetuneRunner::~FinetuneRunner() = default;

nlohmann::json FinetuneRunner::options(const FinetuneSettings& s)
{
    if (!m_files)
        m_files = std::make_unique<QTemporaryDir>();
    Recipe recipe;
    recipe.plan = m_document->plan();
    recipe.preprocess = m_document->preprocess();
    nlohmann::json o = { { "model", TrainerClient::readableFile(m_document->path(), *m_files).toStdString() },
        { "recipe", recipeToJson(recipe) }, { "preprocess", preprocessToJson(m_document->preprocess()) },
        { "train_data", s.trainData.toStdString() }, { "val_data", s.valData.toStdString() },
        { "train_limit", s.trainLimit }, { "epochs", s.epochs }, { "rounds", s.rounds },
        { "batch_size", s.batchSize }, { "optimizer", s.adam ? "adam" : "sgd" }, { "learning_rate", s.learningRate },
        { "threads", s.threads }, { "output", s.output.toStdString() } };
    if (s.distill)
        o["distillation"] = { { "temperature", s.temperature }, { "alpha", s.alpha } };
    if (!s.resume.isEmpty())
        o["resume"] = s.resume.toStdString();
    return o;
}

bool FinetuneRunner::start(const FinetuneSettings& settings)
{
    if (m_document->isEmpty() || m_client->isRunning()) {
        emit finished(false, m_document->isEmpty() ? tr("Open a model first") : tr("A fine-tuning run is going on"));
        return false;
    }
    m_plan = m_document->plan();
    m_lossX.clear();
    m_loss.clear();
    m_accuracyX.clear();
    m_accuracy.clear();
    m_secondsLeft = 0.0;
    m_fraction = 0.0;
    m_epochs = settings.epochs;
    m_totalEpochs = settings.epochs * settings.rounds;
    m_done = false;
    m_output.clear();
    m_status = tr("Starting the trainer…");
    emit changed();
    return m_client->start(QStringLiteral("train"), options(settings));
}

bool FinetuneRunner::isRunning() const { return m_client->isRunning(); }

void FinetuneRunner::stop()
{
    m_status = tr("Stopping after this step…");
    emit changed();
    m_client->stop();
}

void FinetuneRunner::onEvent(const QJsonObject& e)
{
    const QString type = e.value(QStringLiteral("type")).toString();
    const int round = std::max(1, e.value(QStringLiteral("round")).toInt(1));
    const double epochBase = static_cast<double>((round - 1) * m_epochs);
    if (type == QLatin1String("status")) {
        m_status = e.value(QStringLiteral("message")).toString();
    } else if (type == QLatin1String("progress")) {
        const double steps = std::max(1.0, e.value(QStringLiteral("steps")).toDouble());
        const double x = epochBase + e.value(QStringLiteral("epoch")).toDouble() - 1.0
            + e.value(QStringLiteral("step")).toDouble() / steps;
        m_lossX.append(x);
        m_loss.append(e.value(QStringLiteral("loss")).toDouble());
        m_secondsLeft = e.value(QStringLiteral("seconds_left")).toDouble();
        m_fraction = x / std::max(1, m_totalEpochs);
        m_status = tr("Epoch %1 of %2").arg(static_cast<int>(std::ceil(x))).arg(m_totalEpochs);
    } else if (type == QLatin1String("validation")) {
        m_accuracyX.append(epochBase + e.value(QStringLiteral("epoch")).toDouble());
        m_accuracy.append(e.value(QStringLiteral("accuracy")).toDouble());
    } else if (type == QLatin1String("done")) {
        m_done = true;
        m_output = e.value(QStringLiteral("output")).toString();
        m_fraction = 1.0;
        m_secondsLeft = 0.0;
        const double top1 = e.value(QStringLiteral("accuracy")).toDouble(-1.0);
        const auto images = static_cast<int64_t>(e.value(QStringLiteral("val_images")).toDouble());
        if (top1 >= 0.0 && images > 0) {
            m_document->recordFinetuned(m_plan, top1, images, m_output);
            m_status = tr("Done: %1 % top-1 on %2 validation images, written to %3")
                           .arg(QString::number(100.0 * top1, 'f', 1))
                           .arg(images)
                           .arg(QFileInfo(m_output).fileName());
        } else {
            m_status = tr("Done: written to %1").arg(QFileInfo(m_output).fileName());
        }
        emit changed();
        emit finished(true, m_status);
        return;
    }
    emit changed();
}

} // namespace topiary
