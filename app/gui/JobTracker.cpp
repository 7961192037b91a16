#include "JobTracker.h"

namespace topiary {

JobTracker::JobTracker(QObject* parent)
    : QObject(parent)
{
}

JobTracker::~JobTracker()
{
    // Workers post to this object and may read what its owner gave them by reference.
    cancel();
    waitForAll();
}

quint64 JobTracker::begin(std::stop_token& token)
{
    m_stop.request_stop(); // the previous job is stale from now on: let it stop early
    m_stop = std::stop_source {};
    token = m_stop.get_token();
    const quint64 id = ++m_next;
    m_current.store(id);
    m_busy = true;
    return id;
}

void JobTracker::track(QFuture<void> future)
{
    std::erase_if(m_futures, [](const QFuture<void>& f) { return f.isFinished(); });
    m_futures.push_back(std::move(future));
}

void JobTracker::cancel()
{
    m_stop.request_stop();
    m_current.store(++m_next); // an id no job has: every running one is stale
    m_busy = false;
}

void JobTracker::waitForAll()
{
    for (auto& future : m_futures)
        future.waitForFinished();
    m_futures.clear();
}

void JobTracker::finish(quint64 job)
{
    if (isCurrent(job))
        m_busy = false;
    emit jobFinished(job);
}

} // namespace topiary
