#include "core/analysis/ParetoSet.h"

#include <algorithm>
#include <cmath>

namespace topiary {

int64_t paretoCost(const ParetoPoint& point, ParetoCost cost)
{
    return cost == ParetoCost::Size ? point.sizeBytes : point.macs;
}

void ParetoSet::add(const ParetoPoint& point)
{
    auto it = std::find_if(m_points.begin(), m_points.end(), [&](const ParetoPoint& p) { return p.id == point.id; });
    if (it != m_points.end())
        *it = point;
    else
        m_points.push_back(point);
}

bool ParetoSet::remove(int id)
{
    const auto before = m_points.size();
    std::erase_if(m_points, [&](const ParetoPoint& p) { return p.id == id; });
    return m_points.size() != before;
}

const ParetoPoint* ParetoSet::find(int id) const
{
    auto it = std::find_if(m_points.begin(), m_points.end(), [&](const ParetoPoint& p) { return p.id == id; });
    return it == m_points.end() ? nullptr : &*it;
}

std::vector<int> ParetoSet::front(ParetoCost cost) const
{
    // Sorted by cost, then by accuracy descending: a point is on the front when it is
    // strictly more accurate than every cheaper-or-equal point before it, or ties the best
    // so far at the same cost as that best (an equal point).
    std::vector<const ParetoPoint*> sorted;
    for (const auto& p : m_points)
        if (std::isfinite(p.accuracy.value))
            sorted.push_back(&p);
    std::stable_sort(sorted.begin(), sorted.end(), [&](const ParetoPoint* a, const ParetoPoint* b) {
        const int64_t ca = paretoCost(*a, cost), cb = paretoCost(*b, cost);
        if (ca != cb)
            return ca < cb;
        return a->accuracy.value > b->accuracy.value;
    });
    std::vector<int> ids;
    const ParetoPoint* best = nullptr;
    for (const ParetoPoint* p : sorted) {
        const bool equalToBest = best && p->accuracy.value == best->accuracy.value
            && paretoCost(*p, cost) == paretoCost(*best, cost);
        if (!best || p->accuracy.value > best->accuracy.value || equalToBest) {
            ids.push_back(p->id);
            if (!equalToBest)
                best = p;
        }
    }
    return ids;
}

bool ParetoSet::isOptimal(int id, ParetoCost cost) const
{
    const auto ids = front(cost);
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

} // namespace topiary
