// nearChance(): a top-1 whose 95 % interval stays below twice the chance rate 1/classes.
#include "core/analysis/ChanceLevel.h"

#include <catch2/catch.hpp>

using namespace topiary;

namespace {

EvaluationMetrics metrics(int64_t correct, int64_t labelled, int classes)
{
    EvaluationMetrics m;
    m.numClasses = classes;
    m.labelled = labelled;
    m.processed = labelled;
    m.top1Correct = correct;
    return m;
}

} // namespace

TEST_CASE("accuracy near chance is recognised from the interval", "[chance]")
{
    // Wilson upper bounds worked by hand (centre (p + z^2/2n) / (1 + z^2/n) plus the half-width):
    // 117 of 1000 -> 0.1384 and 198 of 1000 -> 0.2238, both below 0.1 + 0.15 x 0.9 = 0.235.
    CHECK(nearChance(metrics(117, 1000, 10)));
    CHECK(nearChance(metrics(198, 1000, 10)));
    CHECK(nearChanceText(metrics(198, 1000, 10))
        == "top-1 19.80 % is little better than chance (10.0 % for 10 classes)");
    // 250 of 1000 -> 0.2778: not near chance.
    CHECK_FALSE(nearChance(metrics(250, 1000, 10)));
    CHECK(nearChanceText(metrics(250, 1000, 10)).empty());
    // Few images: 1 of 10 could be anything up to 40 %: no claim.
    CHECK_FALSE(nearChance(metrics(1, 10, 10)));
    // No labels, or a one-output model: no claim.
    CHECK_FALSE(nearChance(metrics(0, 0, 10)));
    CHECK_FALSE(nearChance(metrics(0, 100, 1)));
    // 1000 classes (limit 0.1508): 600 of 5000 -> 0.1293 is, 1000 of 5000 -> 0.2113 is not.
    CHECK(nearChance(metrics(600, 5000, 1000)));
    CHECK_FALSE(nearChance(metrics(1000, 5000, 1000)));
    // 2 classes (limit 0.575): 520 of 1000 -> 0.5508 is, 700 of 1000 -> 0.7276 is not.
    CHECK(nearChance(metrics(520, 1000, 2)));
    CHECK_FALSE(nearChance(metrics(700, 1000, 2)));
}
