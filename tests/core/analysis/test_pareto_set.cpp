// The session's plans as a trade-off: which points are Pareto-optimal for accuracy against
// size and against MACs, checked on hand-placed points and against the definition.
#include "core/analysis/ParetoSet.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace topiary;

namespace {

ParetoPoint point(int id, double accuracy, int64_t size, int64_t macs)
{
    return { id, { accuracy, accuracy - 0.01, accuracy + 0.01, 1000 }, size, macs, "" };
}

// The definition: dominated when another point is no worse in both and better in one.
bool dominated(const ParetoPoint& p, const std::vector<ParetoPoint>& all, ParetoCost cost)
{
    for (const auto& q : all) {
        if (!std::isfinite(q.accuracy.value))
            continue;
        const bool noWorse = q.accuracy.value >= p.accuracy.value && paretoCost(q, cost) <= paretoCost(p, cost);
        const bool better = q.accuracy.value > p.accuracy.value || paretoCost(q, cost) < paretoCost(p, cost);
        if (noWorse && better)
            return true;
    }
    return false;
}

} // namespace

TEST_CASE("the Pareto front keeps the plans nothing beats, by ascending cost", "[pareto]")
{
    ParetoSet set;
    set.add(point(0, 0.90, 1000, 500)); // the original: best accuracy, largest
    set.add(point(1, 0.88, 600, 450));
    set.add(point(2, 0.85, 700, 200)); // larger and worse than 1; the cheapest in MACs but one
    set.add(point(3, 0.80, 300, 300));
    set.add(point(4, 0.70, 300, 100)); // same size as 3 and worse; the fewest MACs
    set.add(point(5, std::nan(""), 100, 50)); // not measured yet

    CHECK(set.front(ParetoCost::Size) == std::vector<int> { 3, 1, 0 });
    // By MACs: 4 (100), 2 (200, .85), 1 (450, .88), 0 (500, .90); 3 (300, .80) loses to 2.
    CHECK(set.front(ParetoCost::Macs) == std::vector<int> { 4, 2, 1, 0 });
    CHECK(set.isOptimal(2, ParetoCost::Macs));
    CHECK_FALSE(set.isOptimal(2, ParetoCost::Size));
    CHECK_FALSE(set.isOptimal(5, ParetoCost::Size));

    // Re-evaluated on more images, plan 2 is better than thought: it replaces its point.
    set.add(point(2, 0.89, 700, 200));
    CHECK(set.points().size() == 6);
    CHECK(set.find(2)->accuracy.value == 0.89);
    CHECK(set.front(ParetoCost::Size) == std::vector<int> { 3, 1, 2, 0 });
    CHECK(set.front(ParetoCost::Macs) == std::vector<int> { 4, 2, 0 });

    CHECK(set.remove(0));
    CHECK_FALSE(set.remove(0));
    CHECK(set.find(0) == nullptr);
    CHECK(set.front(ParetoCost::Size) == std::vector<int> { 3, 1, 2 });
}

TEST_CASE("equal points are both on the front", "[pareto]")
{
    ParetoSet set;
    set.add(point(7, 0.8, 100, 10));
    set.add(point(8, 0.8, 100, 10));
    set.add(point(9, 0.8, 120, 5));
    CHECK(set.front(ParetoCost::Size) == std::vector<int> { 7, 8 });
    CHECK(set.front(ParetoCost::Macs) == std::vector<int> { 9 });
    CHECK(ParetoSet {}.front(ParetoCost::Size).empty());
}

TEST_CASE("the Pareto front matches the definition on random points", "[pareto]")
{
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> acc(50, 60); // few values: many ties
    std::uniform_int_distribution<int64_t> cost(1, 12);
    for (int trial = 0; trial < 50; ++trial) {
        ParetoSet set;
        for (int i = 0; i < 15; ++i)
            set.add(point(i, acc(rng) / 100.0, cost(rng), cost(rng)));
        for (ParetoCost c : { ParetoCost::Size, ParetoCost::Macs }) {
            const auto front = set.front(c);
            for (const auto& p : set.points()) {
                INFO("trial " << trial << " point " << p.id);
                CHECK(set.isOptimal(p.id, c) == !dominated(p, set.points(), c));
            }
            for (size_t i = 1; i < front.size(); ++i) {
                CHECK(paretoCost(*set.find(front[i - 1]), c) <= paretoCost(*set.find(front[i]), c));
                CHECK(set.find(front[i - 1])->accuracy.value <= set.find(front[i])->accuracy.value);
            }
        }
    }
}
