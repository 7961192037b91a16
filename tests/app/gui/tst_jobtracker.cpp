// JobTracker: a job's result reaches the GUI thread; a newer job or cancel() makes an
// older one stale (asked to stop, and nothing it posts is delivered); jobFinished comes
// for every job, after its result; the destructor waits for running workers.
#include "JobTracker.h"

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

using topiary::JobToken;
using topiary::JobTracker;

namespace {

// Blocks a worker until the test lets it go, so the order of events is the test's.
struct Gate {
    std::atomic<bool> open = false;
    void wait() const
    {
        while (!open.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
};

} // namespace

class TstJobTracker : public QObject {
    Q_OBJECT

private slots:
    void deliversTheResultOnTheGuiThread()
    {
        JobTracker tracker;
        QThread* deliveredOn = nullptr;
        QThread* workedOn = nullptr;
        int result = 0;
        QSignalSpy finished(&tracker, &JobTracker::jobFinished);
        const quint64 id = tracker.run(
            [&](const JobToken& token) {
                workedOn = QThread::currentThread();
                return token.cancelled() ? -1 : 6 * 7;
            },
            [&](int value) {
                deliveredOn = QThread::currentThread();
                result = value;
            });
        QVERIFY(tracker.isBusy());
        QVERIFY(finished.wait(5000));
        QCOMPARE(result, 42);
        QCOMPARE(deliveredOn, QThread::currentThread());
        QVERIFY(workedOn != QThread::currentThread());
        QCOMPARE(finished.first().at(0).toULongLong(), id);
        QVERIFY(!tracker.isBusy());
    }

    void aNewerJobMakesTheOlderStale()
    {
        JobTracker tracker;
        Gate gate;
        std::atomic<bool> olderSawStop = false;
        std::vector<int> delivered;
        std::vector<int> progress;
        QSignalSpy finished(&tracker, &JobTracker::jobFinished);
        const quint64 older = tracker.run(
            [&](const JobToken& token) {
                token.post([&] { progress.push_back(1); }); // still current: delivered
                gate.wait();
                olderSawStop = token.stopToken().stop_requested() && token.cancelled();
                token.post([&] { progress.push_back(2); }); // stale by now: dropped
                return 1;
            },
            [&](int value) { delivered.push_back(value); });
        QTRY_COMPARE(progress.size(), size_t { 1 });
        const quint64 newer = tracker.run([](const JobToken&) { return 2; }, [&](int value) { delivered.push_back(value); });
        QVERIFY(newer > older);
        QVERIFY(!tracker.isCurrent(older));
        gate.open = true;
        QTRY_COMPARE(finished.size(), 2);
        QVERIFY(olderSawStop);
        QCOMPARE(delivered, std::vector<int> { 2 });
        QCOMPARE(progress, std::vector<int> { 1 });
    }

    void cancelDropsTheResultButStillFinishes()
    {
        JobTracker tracker;
        Gate gate;
        bool delivered = false;
        std::atomic<bool> sawStop = false;
        QSignalSpy finished(&tracker, &JobTracker::jobFinished);
        const quint64 id = tracker.run(
            [&](const JobToken& token) {
                gate.wait();
                sawStop = token.cancelled();
            },
            [&] { delivered = true; });
        tracker.cancel();
        QVERIFY(!tracker.isBusy());
        gate.open = true;
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(0).toULongLong(), id);
        QVERIFY(sawStop);
        QVERIFY(!delivered);
    }

    void finishedComesAfterTheResult()
    {
        JobTracker tracker;
        std::vector<int> order;
        connect(&tracker, &JobTracker::jobFinished, this, [&] { order.push_back(2); });
        tracker.run([](const JobToken&) { return 0; }, [&](int) { order.push_back(1); });
        QTRY_COMPARE(order.size(), size_t { 2 });
        QCOMPARE(order, (std::vector<int> { 1, 2 }));
    }

    void destructorWaitsForRunningWorkers()
    {
        auto done = std::make_shared<std::atomic<bool>>(false);
        {
            JobTracker tracker;
            tracker.run(
                [done](const JobToken& token) {
                    // Runs until asked to stop: the destructor must ask and then wait.
                    while (!token.cancelled())
                        std::this_thread::sleep_for(std::chrono::milliseconds(1));
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    done->store(true);
                },
                [] {});
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        QVERIFY(done->load());
        QCoreApplication::processEvents(); // what the worker posted went with the tracker
    }
};

QTEST_GUILESS_MAIN(TstJobTracker)
#include "tst_jobtracker.moc"
