#include "TrainerClient.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

namespace topiary {

TrainerClient::TrainerClient(QObject* parent)
    : QObject(parent)
    , m_process(new QProcess(this))
    , m_killTimer(new QTimer(this))
{
    m_killTimer->setSingleShot(true);
    connect(m_killTimer, &QTimer::timeout, m_process, &QProcess::kill);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &TrainerClient::readLines);
    connect(m_process, &QProcess::readyReadStandardError, this,
        [this] { m_stderr = QString::fromUtf8(m_process->readAllStandardError()).right(2000); });
    connect(m_process, &QProcess::finished, this, &TrainerClient::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        emit finished(-1,
            tr("The trainer %1 could not be started (%2). Build topiary-train, or name it with TOPIARY_TRAIN.")
                .arg(m_process->program(), m_process->errorString()));
    });
}

TrainerClient::~TrainerClient()
{
    if (isRunning()) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

QString TrainerClient::program()
{
    const QString fromEnvironment = qEnvironmentVariable("TOPIARY_TRAIN");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : { here.filePath(QStringLiteral("topiary-train")),
             here.filePath(QStringLiteral("../train/topiary-train")),
             here.filePath(QStringLiteral("../../app/train/topiary-train")) })
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    const QString onPath = QStandardPaths::findExecutable(QStringLiteral("topiary-train"));
    return onPath.isEmpty() ? QStringLiteral("topiary-train") : onPath;
}

QString TrainerClient::readableFile(const QString& path, const QTemporaryDir& dir)
{
    if (!path.startsWith(QLatin1Char(':')))
        return path;
    const QString copy = QDir(dir.path()).filePath(QFileInfo(path).fileName());
    if (!QFileInfo::exists(copy))
        QFile::copy(path, copy);
    return copy;
}

nlohmann::json TrainerClient::toJson(const QJsonValue& value)
{
    const QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    if (!value.isArray() && !value.isObject())
        return nullptr;
    return nlohmann::json::parse(doc.toJson(QJsonDocument::Compact).toStdString(), nullptr, false);
}

bool TrainerClient::start(const QString& type, const nlohmann::json& options)
{
    if (isRunning())
        return false;
    m_buffer.clear();
    m_error.clear();
    m_stderr.clear();
    m_process->setProgram(program());
    m_process->start();
    const nlohmann::json request = { { "type", type.toStdString() }, { "options", options } };
    m_process->write(QByteArray::fromStdString(request.dump()) + '\n');
    return true;
}

bool TrainerClient::isRunning() const { return m_process->state() != QProcess::NotRunning; }

void TrainerClient::stop(int killAfterMs)
{
    if (!isRunning())
        return;
    m_process->write("{\"type\": \"stop\"}\n");
    m_process->closeWriteChannel();
    m_killTimer->start(killAfterMs);
}

void TrainerClient::readLines()
{
    m_buffer += m_process->readAllStandardOutput();
    for (qsizetype nl = m_buffer.indexOf('\n'); nl >= 0; nl = m_buffer.indexOf('\n')) {
        const QByteArray line = m_buffer.left(nl).trimmed();
        m_buffer.remove(0, nl + 1);
        if (line.isEmpty())
            continue;
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (!doc.isObject()) {
            m_error = tr("The trainer wrote something that is not JSON: %1").arg(QString::fromUtf8(line.left(200)));
            continue;
        }
        const QJsonObject e = doc.object();
        if (e.value(QStringLiteral("type")).toString() == QLatin1String("error"))
            m_error = e.value(QStringLiteral("message")).toString();
        emit event(e);
    }
}

void TrainerClient::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_killTimer->stop();
    readLines();
    QString error = m_error;
    if (error.isEmpty() && status == QProcess::CrashExit && exitCode != 3)
        error = tr("The trainer ended unexpectedly. %1").arg(m_stderr.trimmed());
    emit finished(status == QProcess::CrashExit ? -1 : exitCode, error);
}

} // namespace topiary
