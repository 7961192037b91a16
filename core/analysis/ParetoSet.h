// The plans tried in this session as points of a trade-off: each plan's accuracy estimate
// (with its confidence interval) against its model size and its MACs, and which of them are
// Pareto-optimal, i.e. no other plan is at least as accurate and at least as cheap and
// strictly better in one of the two. The front is taken on the point estimates; the
// intervals are carried for display, since a point inside another's interval is not
// clearly worse. Points whose accuracy is not measured yet (NaN) are shown but never on
// the front.
#pragma once

#include "core/base/Estimate.h"

#include <cstdint>
#include <string>
#include <vector>

namespace topiary {

struct ParetoPoint {
    int id = -1; // chosen by the caller (e.g. the plan's place in the session history)
    Estimate accuracy; // top-1, or agreement with the original when the data has no labels
    int64_t sizeBytes = 0; // encoded weight bytes (ModelStats::encodedBytes)
    int64_t macs = 0; // ModelStats::effectiveMacs or linearMacs, as the caller chooses
    std::string label; // what the plan is, for tooltips ("resnet 30 % L1 filters")
    bool recovered = false; // measured after calibration-based recovery (marked on the plot)
};

enum class ParetoCost { Size, Macs };

class ParetoSet {
public:
    // Adds a point, or replaces the one with the same id (a plan re-evaluated on more images).
    void add(const ParetoPoint& point);
    bool remove(int id);
    void clear() { m_points.clear(); }

    const std::vector<ParetoPoint>& points() const { return m_points; } // in the order added
    const ParetoPoint* find(int id) const;

    // Ids of the non-dominated points for (max accuracy, min cost), by ascending cost
    // (and so ascending accuracy): the order a step line through them is drawn in. Equal
    // points are all on the front.
    std::vector<int> front(ParetoCost cost) const;
    bool isOptimal(int id, ParetoCost cost) const;

private:
    std::vector<ParetoPoint> m_points;
};

int64_t paretoCost(const ParetoPoint& point, ParetoCost cost);

} // namespace topiary
