#include "RatioStepper.h"

#include <cmath>

namespace topiary {

namespace {
constexpr int kPollMs = 40;
}

RatioStepper::RatioStepper(QObject* parent)
    : QObject(parent)
{
    m_timer.setInterval(kPollMs);
    connect(&m_timer, &QTimer::timeout, this, &RatioStepper::tick);
}

std::vector<double> RatioStepper::schedule(double target)
{
    std::vector<double> values { 0.0 };
    if (!(target > 0.0))
        return values;
    const double step = target <= 0.2 ? 0.05 : 0.1;
    // Whole steps strictly below the target (with a little slack, so 0.3 is not 0.2999…
    // followed by 0.3), then the target itself.
    for (int i = 1; i * step < target - 1e-9; ++i)
        values.push_back(i * step);
    values.push_back(target);
    return values;
}

void RatioStepper::start(int layer, const PruneSpec& target)
{
    if (isRunning())
        stop();
    m_layer = layer;
    m_target = target;
    m_values = schedule(target.value);
    m_next = 0;
    tick(); // the first step (ratio 0) at once; the rest from the timer
    if (m_next < m_values.size())
        m_timer.start();
}

void RatioStepper::stop()
{
    if (!isRunning())
        return;
    m_timer.stop();
    emit finished(false);
}

void RatioStepper::tick()
{
    if (m_next > 0 && (m_shown.elapsed() < m_dwellMs || (m_ready && !m_ready())))
        return;
    PruneSpec spec = m_target;
    spec.value = m_values[m_next];
    const bool last = ++m_next == m_values.size();
    m_shown.start();
    if (last)
        m_timer.stop();
    emit step(m_layer, spec, last);
    if (last)
        emit finished(true);
}

} // namespace topiary
