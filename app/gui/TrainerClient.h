// topiary-train as the window's child process (QProcess): the window never links libtorch
// (Debian's brings Qt 5 with it, and a crashing training must not take the window down).
// One request per process, as JSON lines (app/train/main.cpp): the request goes in,
// every line that comes out is an event; stop() asks the trainer to end after its current
// step and kills it only when it does not within a few seconds.
#pragma once

#include <nlohmann/json.hpp>

#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QString>

class QTemporaryDir;
class QTimer;

namespace topiary {

class TrainerClient : public QObject {
    Q_OBJECT

public:
    explicit TrainerClient(QObject* parent = nullptr);
    ~TrainerClient() override; // kills a trainer that still runs

    // Where topiary-train is: $TOPIARY_TRAIN, beside this executable, in the build tree
    // (app/train beside app/gui), else "topiary-train" on the PATH.
    static QString program();
    // A file the trainer can read: `path` itself, or for a Qt resource (":/sample/..."),
    // a copy in `dir`.
    static QString readableFile(const QString& path, const QTemporaryDir& dir);

    // Starts the trainer with one request, {"type": type, "options": options}. False when a
    // run is still going.
    bool start(const QString& type, const nlohmann::json& options);
    // An event's field as core's JSON (scores, histories), null when it is not there.
    static nlohmann::json toJson(const QJsonValue& value);
    bool isRunning() const;
    // Asks for a clean end ({"type": "stop"}); kills the process after killAfterMs.
    void stop(int killAfterMs = 5000);

signals:
    void event(const QJsonObject& event); // every JSON line the trainer writes
    // The process ended: its exit code (0 done, 3 stopped), and the last error event's
    // message or why it could not run ("" when none).
    void finished(int exitCode, const QString& error);

private:
    void readLines();
    void onFinished(int exitCode, QProcess::ExitStatus status);

    QProcess* m_process = nullptr;
    QTimer* m_killTimer = nullptr;
    QByteArray m_buffer;
    QString m_error;
    QString m_stderr;
};

} // namespace topiary
