#include "AutoSaver.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QUuid>

#include <algorithm>
#include <exception>

namespace topiary {

namespace {

constexpr int kMaxPostponements = 5;

QString lockPathFor(const QString& autosave)
{
    return autosave + QStringLiteral(".lock");
}

// A lock that only a dead owner loses: QLockFile's default also calls a lock older than
// 30 s stale, which would hand a long session's autosave to another instance.
std::unique_ptr<QLockFile> lockFor(const QString& autosave)
{
    auto lock = std::make_unique<QLockFile>(lockPathFor(autosave));
    lock->setStaleLockTime(0);
    return lock;
}

} // namespace

AutoSaver::AutoSaver(QObject* parent, const QString& folder)
    : QObject(parent)
    , m_folder(folder.isEmpty() ? defaultFolder() : folder)
{
    m_path = QDir(m_folder).filePath(QStringLiteral("session-%1.topiary")
                                         .arg(QUuid::createUuid().toString(QUuid::WithoutBraces)));
    m_timer.setSingleShot(true);
    m_timer.setInterval(DefaultIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &AutoSaver::write);
}

AutoSaver::~AutoSaver()
{
    flush();
}

void AutoSaver::markDirty(std::function<Project()> snapshot)
{
    if (!snapshot)
        return;
    if (!m_snapshot)
        m_pendingSince.start();
    m_snapshot = std::move(snapshot);
    const qint64 left = qint64(kMaxPostponements) * interval() - m_pendingSince.elapsed();
    m_timer.start(int(std::clamp<qint64>(left, 0, interval())));
}

void AutoSaver::flush()
{
    if (m_snapshot)
        write();
}

void AutoSaver::discard()
{
    m_timer.stop();
    m_snapshot = nullptr;
    QFile::remove(m_path);
    if (m_lock)
        m_lock->unlock(); // removes the lock file
    m_lock.reset();
}

void AutoSaver::write()
{
    m_timer.stop();
    auto snapshot = std::move(m_snapshot);
    m_snapshot = nullptr;
    if (!snapshot)
        return;
    if (!m_lock) {
        if (!QDir().mkpath(m_folder)) {
            emit failed(tr("Cannot create the autosave folder %1.").arg(m_folder));
            return;
        }
        auto lock = lockFor(m_path);
        if (!lock->tryLock(0)) {
            emit failed(tr("Cannot lock the autosave file %1.").arg(m_path));
            return;
        }
        m_lock = std::move(lock);
    }
    Result<void> written;
    try {
        written = writeProject(m_path.toStdString(), snapshot());
    } catch (const std::exception& e) {
        written = fail(std::string("cannot take a snapshot of the session: ") + e.what());
    }
    if (!written) {
        emit failed(QString::fromStdString(written.error().message));
        return;
    }
    emit saved(m_path);
}

QString AutoSaver::defaultFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("autosave"));
}

QStringList AutoSaver::recoverable(const QString& folder)
{
    const QDir dir(folder.isEmpty() ? defaultFolder() : folder);
    QStringList out;
    const auto files = dir.entryInfoList({ QStringLiteral("session-*.topiary") }, QDir::Files, QDir::Time);
    for (const QFileInfo& file : files) {
        // Taking the lock succeeds only when nobody holds it or its owner has died.
        auto lock = lockFor(file.absoluteFilePath());
        if (lock->tryLock(0)) {
            lock->unlock();
            out << file.absoluteFilePath();
        }
    }
    return out;
}

bool AutoSaver::removeRecoverable(const QString& path)
{
    auto lock = lockFor(path);
    if (!lock->tryLock(0))
        return false;
    const bool removed = QFile::remove(path);
    lock->unlock();
    return removed;
}

} // namespace topiary
