// Keeps an autosave of the session, so a crash or a killed process loses at most a few
// seconds of work. The app calls markDirty() on every change with a function that takes a
// snapshot of the session; after a short quiet time (2 s) the snapshot is written as a
// project file (core/plan/Project.h) in the app's local data folder. Each running instance has
// its own autosave, guarded by a QLockFile; discard() removes it on a clean close. At start
// the app asks recoverable() for autosaves whose owner is no longer running.
#pragma once

#include "core/plan/Project.h"

#include <QElapsedTimer>
#include <QLockFile>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>

namespace topiary {

class AutoSaver : public QObject {
    Q_OBJECT
    Q_PROPERTY(int interval READ interval WRITE setInterval)

public:
    static constexpr int DefaultIntervalMs = 2000;

    // folder: where autosaves live; empty = defaultFolder(). It is created when needed.
    explicit AutoSaver(QObject* parent = nullptr, const QString& folder = {});
    // Writes a pending snapshot and releases the lock, keeping the file: leaving without
    // discard() is not a clean close, so the session stays recoverable.
    ~AutoSaver() override;

    // The session changed. The snapshot is taken (on this thread) when the quiet time
    // ends; edits keep postponing it, but never by more than 5 intervals in all.
    void markDirty(std::function<Project()> snapshot);
    // Writes a pending snapshot now.
    void flush();
    // A clean close (saved, or the user chose not to): stops, removes the autosave and its lock.
    void discard();

    bool isPending() const { return static_cast<bool>(m_snapshot); }
    // This session's autosave file (it exists once a snapshot was written).
    QString filePath() const { return m_path; }
    int interval() const { return m_timer.interval(); }
    void setInterval(int ms) { m_timer.setInterval(ms); }

    // AppLocalDataLocation/autosave.
    static QString defaultFolder();
    // Autosaves in folder (empty = defaultFolder()) whose owner is not running (its lock is
    // stale or gone), newest first. An autosave of a running instance is never listed.
    static QStringList recoverable(const QString& folder = {});
    // Removes a recoverable autosave (after recovering it, or when the user declines).
    // False when it is owned by a running instance or cannot be removed.
    static bool removeRecoverable(const QString& path);

signals:
    void saved(const QString& path);
    void failed(const QString& message);

private:
    void write();

    QString m_folder;
    QString m_path;
    std::unique_ptr<QLockFile> m_lock; // taken with the first write
    std::function<Project()> m_snapshot; // set while a change is not yet written
    QTimer m_timer;
    QElapsedTimer m_pendingSince;
};

} // namespace topiary
