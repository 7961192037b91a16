// The one way the window runs background work (after Hotspot's JobTracker). A tracker
// runs one kind of job at a time on the thread pool: starting a job makes every older one
// stale and asks it to stop, cancel() does the same without a successor. The worker gets
// a JobToken (its id, a stop_token, cancelled()) and posts to the GUI thread through it;
// what a stale job posts, its result included, is dropped there, so no call site keeps
// a generation counter of its own. jobFinished is emitted for every job, stale or not,
// after whatever it delivered. The destructor stops and waits for every worker, so
// callbacks may use the object that owns the tracker: declare the tracker after what
// they use (members are destroyed in reverse order).
#pragma once

#include <QFuture>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <memory>
#include <stop_token>
#include <type_traits>
#include <utility>
#include <vector>

namespace topiary {

class JobTracker;

class JobToken {
public:
    JobToken(JobTracker* tracker, quint64 id, std::stop_token stop)
        : m_tracker(tracker)
        , m_id(id)
        , m_stop(std::move(stop))
    {
    }

    quint64 id() const { return m_id; }
    const std::stop_token& stopToken() const { return m_stop; }
    // Stopped, or superseded by a newer job: what it would still compute is not wanted.
    bool cancelled() const;
    // Runs `call` on the tracker's (GUI) thread, unless the job is stale by then.
    template <class Call>
    void post(Call call) const;

private:
    JobTracker* m_tracker;
    quint64 m_id;
    std::stop_token m_stop;
};

class JobTracker : public QObject {
    Q_OBJECT

public:
    explicit JobTracker(QObject* parent = nullptr);
    ~JobTracker() override;

    // Runs work(token) on the thread pool and hands its result to deliver(result) on this
    // object's thread, unless a newer job was started or cancel() was called meanwhile.
    // work may also return void (then deliver takes no argument). Returns the job's id.
    template <class Work, class Deliver>
    quint64 run(Work work, Deliver deliver);
    // Stops the running job and drops everything it still posts.
    void cancel();
    // Asks the running job to stop early but still takes what it delivers (a partial
    // result, such as the points of a sweep measured so far).
    void requestStop() { m_stop.request_stop(); }
    // The newest job's id; 0 before the first.
    quint64 currentJob() const { return m_current.load(); }
    bool isCurrent(quint64 job) const { return job != 0 && job == m_current.load(); }
    // A job (the newest, not cancelled) is running or its result is on its way.
    bool isBusy() const { return m_busy; }
    // Waits for every worker (tests, and the destructor).
    void waitForAll();

signals:
    // Every job ends with this on the GUI thread, stale or not, after what it delivered.
    void jobFinished(quint64 job);

private:
    quint64 begin(std::stop_token& token);
    void track(QFuture<void> future);
    void finish(quint64 job);

    std::atomic<quint64> m_current = 0;
    quint64 m_next = 0;
    bool m_busy = false;
    std::stop_source m_stop;
    std::vector<QFuture<void>> m_futures; // every worker not known to be done
};

inline bool JobToken::cancelled() const
{
    return m_stop.stop_requested() || !m_tracker->isCurrent(m_id);
}

template <class Call>
void JobToken::post(Call call) const
{
    JobTracker* tracker = m_tracker;
    const quint64 id = m_id;
    QMetaObject::invokeMethod(
        tracker,
        [tracker, id, call = std::move(call)]() mutable {
            if (tracker->isCurrent(id))
                call();
        },
        Qt::QueuedConnection);
}

template <class Work, class Deliver>
quint64 JobTracker::run(Work work, Deliver deliver)
{
    std::stop_token stop;
    const quint64 id = begin(stop);
    track(QtConcurrent::run([this, id, stop, work = std::move(work), deliver = std::move(deliver)]() mutable {
        const JobToken token(this, id, stop);
        using R = std::invoke_result_t<Work&, const JobToken&>;
        try {
            if constexpr (std::is_void_v<R>) {
                work(token);
                token.post([this, deliver = std::move(deliver)]() mutable {
                    m_busy = false;
                    deliver();
                });
            } else {
                // Shared, so the queued call can be copied whatever R is.
                auto result = std::make_shared<R>(work(token));
                token.post([this, deliver = std::move(deliver), result]() mutable {
                    m_busy = false;
                    deliver(std::move(*result));
                });
            }
        } catch (...) {
            // Call sites turn errors into values; a throw here must still end the job.
        }
        QMetaObject::invokeMethod(this, [this, id] { finish(id); }, Qt::QueuedConnection);
    }));
    return id;
}

} // namespace topiary
