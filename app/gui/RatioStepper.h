// The Step animation: a layer's pruning ratio walks from 0 up to a target in equal steps,
// each shown long enough for a class to see the histogram, the heatmap, the graph and the
// accuracy move together. A step waits at least the dwell time and then until `ready`
// says the views have caught up (the live evaluation is idle), so accuracy is measured at
// every ratio rather than skipped over. The stepper only schedules: the owner turns each
// step into a plan edit (one merged undo step) and stops it when the user edits anything.
#pragma once

#include "core/plan/CompressionSpec.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <functional>
#include <vector>

namespace topiary {

class RatioStepper : public QObject {
    Q_OBJECT

public:
    explicit RatioStepper(QObject* parent = nullptr);

    // The ratios shown for a target: 0, then steps of 10 % (5 % for targets up to 20 %),
    // ending exactly at the target.
    static std::vector<double> schedule(double target);

    void setDwellMs(int ms) { m_dwellMs = ms; }
    int dwellMs() const { return m_dwellMs; }
    // Checked before each step after the first; empty = always ready.
    void setReady(std::function<bool()> ready) { m_ready = std::move(ready); }

    // Starts from ratio 0 of `target` (a Ratio spec) on `layer`; a running animation stops first.
    void start(int layer, const PruneSpec& target);
    void stop();
    bool isRunning() const { return m_timer.isActive(); }
    int layer() const { return m_layer; }

signals:
    // Show this spec on the layer; `last` is the target itself.
    void step(int layer, const topiary::PruneSpec& spec, bool last);
    // The animation ended: at the target (completed) or stopped before it.
    void finished(bool completed);

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_shown;
    std::function<bool()> m_ready;
    std::vector<double> m_values;
    size_t m_next = 0;
    PruneSpec m_target;
    int m_layer = -1;
    int m_dwellMs = 700;
};

} // namespace topiary
