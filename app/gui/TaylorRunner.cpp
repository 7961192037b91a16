#include "TaylorRunner.h"

#include "Document.h"
#include "TrainerClient.h"

#include "core/compress/TaylorScores.h"
#include "core/data/Preprocess.h"

#include <QTemporaryDir>

namespace topiary {

namespace {

constexpr int kBatchSize = 32;

} // namespace

TaylorRunner::TaylorRunner(Document* document, QObject* parent)
    : QObject(parent)
    , m_document(document)
    , m_client(new TrainerClient(this))
{
    connect(m_client, &TrainerClient::event, this, [this](const QJsonObject& e) {
        const QString type = e.value(QStringLiteral("type")).toString();
        if (type == QLatin1String("progress")) {
            emit progress(e.value(QStringLiteral("batch")).toInt(), e.value(QStringLiteral("batches")).toInt());
        } else if (type == QLatin1String("taylor")) {
            auto scores = taylorScoresFromJson(TrainerClient::toJson(e.value(QStringLiteral("scores"))));
            if (!scores) {
                emit finished(false, QString::fromStdString(scores.error().message));
                return;
            }
            TaylorRequest request { m_modelFile.toStdString(), m_dataFile.toStdString(),
                preprocessToJson(m_document->preprocess()), m_batches, kBatchSize, 1 };
            TaylorCache().store(request, *scores); // a cache that cannot be written costs a recomputation, no more
            const int64_t images = scores->images;
            m_document->setTaylorScores(std::make_shared<const TaylorScores>(std::move(*scores)));
            emit finished(true, tr("Taylor importance computed on %n image(s)", nullptr, static_cast<int>(images)));
        }
    });
    connect(m_client, &TrainerClient::finished, this, [this](int exitCode, const QString& error) {
        if (exitCode != 0 || !error.isEmpty())
            emit finished(false, error.isEmpty() ? tr("Taylor importance was stopped") : error);
    });
}

TaylorRunner::~TaylorRunner() = default;

bool TaylorRunner::run(int64_t images)
{
    if (m_client->isRunning()) {
        emit finished(false, tr("Taylor importance is already being computed"));
        return false;
    }
    if (m_document->isEmpty() || !m_document->dataset() || !m_document->dataset()->hasLabels()) {
        emit finished(false, tr("Taylor importance needs gradients on labelled images: open a labelled dataset first "
                                "(File → Open Dataset)"));
        return false;
    }
    if (!m_files)
        m_files = std::make_unique<QTemporaryDir>();
    m_modelFile = TrainerClient::readableFile(m_document->path(), *m_files);
    m_dataFile = QString::fromStdString(m_document->dataset()->source().string());
    m_batches = static_cast<int>(std::max<int64_t>(1, (images + kBatchSize - 1) / kBatchSize));
    const TaylorRequest request { m_modelFile.toStdString(), m_dataFile.toStdString(),
        preprocessToJson(m_document->preprocess()), m_batches, kBatchSize, 1 };
    if (auto cached = TaylorCache().find(request)) {
        const int64_t n = cached->images;
        m_document->setTaylorScores(std::make_shared<const TaylorScores>(std::move(*cached)));
        emit finished(true, tr("Taylor importance of %n image(s), from the cache", nullptr, static_cast<int>(n)));
        return true;
    }
    nlohmann::json options = { { "model", request.model.string() }, { "data", request.data.string() },
        { "preprocess", request.preprocess }, { "batches", request.batches }, { "batch_size", request.batchSize },
        { "seed", request.seed } };
    return m_client->start(QStringLiteral("taylor"), options);
}

bool TaylorRunner::isRunning() const { return m_client->isRunning(); }

void TaylorRunner::cancel() { m_client->stop(); }

} // namespace topiary
