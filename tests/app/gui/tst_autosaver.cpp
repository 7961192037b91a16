// AutoSaver: a change is written after the quiet time (and edits cannot postpone it
// forever), discard() removes it, and recoverable() lists the autosaves of dead
// instances (killed child processes of this test) but never those of running ones.
#include "AutoSaver.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <iostream>
#include <string>

#include <unistd.h>

using namespace Qt::StringLiterals;
using topiary::AutoSaver;
using topiary::Project;

namespace {

Project sampleProject(double ratio)
{
    Project p;
    p.modelPath = "/models/resnet18.onnx";
    p.modelFingerprint = { 46827520, 0x8c3fa2e01b77d4c9ULL };
    p.plan.setPrune("conv1", { topiary::PruneGranularity::Filter, topiary::Criterion::L1,
        topiary::PruneMode::Ratio, ratio });
    p.history = { { p.plan, "conv1 pruned", std::nullopt } };
    p.current = 0;
    return p;
}

// Runs in a child process: autosaves a session, prints the file's path, then dies
// without cleaning up (as a crash would) or waits to be killed.
int childMain(const QString& mode, const QString& folder)
{
    AutoSaver saver(nullptr, folder);
    saver.markDirty([] { return sampleProject(0.25); });
    saver.flush();
    std::cout << saver.filePath().toStdString() << std::endl;
    if (mode == "--autosave-and-die"_L1)
        ::_exit(3);
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    ::_exit(0);
}

} // namespace

class TstAutoSaver : public QObject {
    Q_OBJECT

private slots:
    void writesAfterTheQuietTime();
    void editsCannotPostponeForever();
    void discardRemovesTheAutosave();
    void ownAutosaveIsNotRecoverable();
    void crashedOwnerIsRecoverable();
    void runningOwnerIsNotRecoverableUntilKilled();
    void leavingWithoutDiscardKeepsItRecoverable();
    void unwritableFolderReportsFailure();

private:
    QProcess* startChild(const QString& mode, const QString& folder)
    {
        auto* child = new QProcess(this);
        child->start(QCoreApplication::applicationFilePath(), { mode, folder });
        [&] { QVERIFY(child->waitForStarted(10000)); }();
        return child;
    }
    static QString readPath(QProcess* child)
    {
        for (int i = 0; i < 100 && !child->canReadLine(); ++i)
            child->waitForReadyRead(100);
        return QString::fromUtf8(child->readLine()).trimmed();
    }
};

void TstAutoSaver::writesAfterTheQuietTime()
{
    QTemporaryDir dir;
    AutoSaver saver(nullptr, dir.path());
    saver.setProperty("interval", 200);
    QCOMPARE(saver.interval(), 200);
    QSignalSpy saved(&saver, &AutoSaver::saved);

    int snapshots = 0;
    for (double ratio : { 0.1, 0.2, 0.3 })
        saver.markDirty([&snapshots, ratio] {
            ++snapshots;
            return sampleProject(ratio);
        });
    QVERIFY(saver.isPending());
    QVERIFY(!QFile::exists(saver.filePath()));
    QVERIFY(saved.wait(2000));
    QCOMPARE(saved.count(), 1);
    QCOMPARE(saved.at(0).at(0).toString(), saver.filePath());
    QCOMPARE(snapshots, 1); // only the last snapshot is taken
    QVERIFY(!saver.isPending());
    QVERIFY(QFile::exists(saver.filePath()));
    QVERIFY(saver.filePath().startsWith(dir.path()));

    auto read = topiary::readProject(saver.filePath().toStdString());
    QVERIFY2(read.has_value(), read ? "" : read.error().message.c_str());
    QVERIFY(*read == sampleProject(0.3));

    // Quiet: nothing more is written.
    QTest::qWait(400);
    QCOMPARE(saved.count(), 1);
}

void TstAutoSaver::editsCannotPostponeForever()
{
    QTemporaryDir dir;
    AutoSaver saver(nullptr, dir.path());
    saver.setInterval(100);
    QSignalSpy saved(&saver, &AutoSaver::saved);
    QElapsedTimer clock;
    clock.start();
    // An edit every 30 ms for 1.5 s: a plain debounce would never fire.
    while (clock.elapsed() < 1500) {
        saver.markDirty([] { return sampleProject(0.5); });
        QTest::qWait(30);
    }
    QVERIFY(saved.count() >= 2);
}

void TstAutoSaver::discardRemovesTheAutosave()
{
    QTemporaryDir dir;
    AutoSaver saver(nullptr, dir.path());
    saver.setInterval(20);
    QSignalSpy saved(&saver, &AutoSaver::saved);
    saver.markDirty([] { return sampleProject(0.5); });
    QVERIFY(saved.wait(2000));
    QVERIFY(QFile::exists(saver.filePath()));
    QVERIFY(QFile::exists(saver.filePath() + ".lock"_L1));

    // A change not yet written is dropped too.
    saver.markDirty([] { return sampleProject(0.6); });
    saver.discard();
    QVERIFY(!saver.isPending());
    QVERIFY(!QFile::exists(saver.filePath()));
    QVERIFY(!QFile::exists(saver.filePath() + ".lock"_L1));
    QTest::qWait(100);
    QCOMPARE(saved.count(), 1);
    QVERIFY(QDir(dir.path()).isEmpty());
}

void TstAutoSaver::ownAutosaveIsNotRecoverable()
{
    QTemporaryDir dir;
    AutoSaver saver(nullptr, dir.path());
    saver.markDirty([] { return sampleProject(0.5); });
    saver.flush();
    QVERIFY(QFile::exists(saver.filePath()));
    QVERIFY(AutoSaver::recoverable(dir.path()).isEmpty());
    QVERIFY(!AutoSaver::removeRecoverable(saver.filePath()));
    QVERIFY(QFile::exists(saver.filePath()));
    // Still ours: the next write works.
    QSignalSpy saved(&saver, &AutoSaver::saved);
    saver.markDirty([] { return sampleProject(0.7); });
    saver.flush();
    QCOMPARE(saved.count(), 1);
}

void TstAutoSaver::crashedOwnerIsRecoverable()
{
    QTemporaryDir dir;
    QProcess* child = startChild(u"--autosave-and-die"_s, dir.path());
    QVERIFY(child->waitForFinished(10000));
    QCOMPARE(child->exitCode(), 3);
    const QString path = QString::fromUtf8(child->readAllStandardOutput()).trimmed();
    QVERIFY(QFile::exists(path));
    QVERIFY(QFile::exists(path + ".lock"_L1)); // left behind by the dead owner

    QCOMPARE(AutoSaver::recoverable(dir.path()), QStringList { path });
    auto read = topiary::readProject(path.toStdString());
    QVERIFY2(read.has_value(), read ? "" : read.error().message.c_str());
    QVERIFY(*read == sampleProject(0.25));

    QVERIFY(AutoSaver::removeRecoverable(path));
    QVERIFY(QDir(dir.path()).isEmpty());
    QVERIFY(AutoSaver::recoverable(dir.path()).isEmpty());
}

void TstAutoSaver::runningOwnerIsNotRecoverableUntilKilled()
{
    QTemporaryDir dir;
    QProcess* child = startChild(u"--autosave-and-wait"_s, dir.path());
    const QString path = readPath(child);
    QVERIFY(!path.isEmpty());
    QVERIFY(QFile::exists(path));

    QVERIFY(AutoSaver::recoverable(dir.path()).isEmpty());
    QVERIFY(!AutoSaver::removeRecoverable(path));
    QVERIFY(QFile::exists(path));

    child->kill();
    QVERIFY(child->waitForFinished(10000));
    QCOMPARE(AutoSaver::recoverable(dir.path()), QStringList { path });
}

void TstAutoSaver::leavingWithoutDiscardKeepsItRecoverable()
{
    QTemporaryDir dir;
    QString path;
    {
        AutoSaver saver(nullptr, dir.path());
        saver.setInterval(60000);
        saver.markDirty([] { return sampleProject(0.4); });
        path = saver.filePath();
        QVERIFY(!QFile::exists(path));
    } // the destructor writes the pending change and lets go of the lock
    QCOMPARE(AutoSaver::recoverable(dir.path()), QStringList { path });
    auto read = topiary::readProject(path.toStdString());
    QVERIFY(read.has_value());
    QVERIFY(*read == sampleProject(0.4));
}

void TstAutoSaver::unwritableFolderReportsFailure()
{
    QTemporaryDir dir;
    // A file where the folder should be: mkpath fails, even for root.
    const QString notAFolder = dir.filePath(u"file"_s);
    QFile f(notAFolder);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    AutoSaver saver(nullptr, notAFolder + "/autosave"_L1);
    QSignalSpy failed(&saver, &AutoSaver::failed);
    QSignalSpy saved(&saver, &AutoSaver::saved);
    saver.markDirty([] { return sampleProject(0.5); });
    saver.flush();
    QCOMPARE(failed.count(), 1);
    QVERIFY(failed.at(0).at(0).toString().contains("autosave folder"_L1));
    QCOMPARE(saved.count(), 0);

    // A snapshot the project file cannot hold (no model fingerprint) is reported, not written.
    AutoSaver other(nullptr, dir.path());
    QSignalSpy otherFailed(&other, &AutoSaver::failed);
    other.markDirty([] { return Project {}; });
    other.flush();
    QCOMPARE(otherFailed.count(), 1);
    QVERIFY(otherFailed.at(0).at(0).toString().contains("cannot save the project"_L1));
    QVERIFY(!QFile::exists(other.filePath()));
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 3) {
        const QString mode = QString::fromLocal8Bit(argv[1]);
        if (mode == "--autosave-and-die"_L1 || mode == "--autosave-and-wait"_L1)
            return childMain(mode, QString::fromLocal8Bit(argv[2]));
    }
    TstAutoSaver test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_autosaver.moc"
