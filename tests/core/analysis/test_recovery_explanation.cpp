// Explain mode's numbers of recovery: what a layer's BN statistics, biases and refit
// changed, on hand-made records whose answers are worked out here by hand.
#include "core/analysis/RecoveryExplanation.h"

#include <catch2/catch.hpp>

using namespace topiary;

TEST_CASE("explainRecovery: BN statistics, bias shifts and the refit's residual")
{
    LayerRecovery r;
    r.name = "conv2";
    r.refitted = true;
    r.residualBefore = 0.25;
    r.residualAfter = 0.05;
    r.batchNorm = true;
    // Channel 1 was pruned: its statistics stay as they were and do not count.
    r.meanBefore = { 1.0, 5.0, -2.0 };
    r.meanAfter = { 1.5, 5.0, -1.0 };
    r.varBefore = { 4.0, 1.0, 2.0 };
    r.varAfter = { 2.0, 1.0, 3.0 };
    r.biasShift = { 0.3, 0.0, -0.1 };
    r.notes = { "bias: example note" };

    const RecoveryExplanation e = explainRecovery(r);
    CHECK(e.layer == "conv2");
    CHECK(e.refitted);
    CHECK(e.residualBefore == 0.25);
    CHECK(e.residualAfter == 0.05);
    CHECK(e.channels == 2);
    CHECK(e.meanShift == Approx(0.75)); // (0.5 + 1.0) / 2
    CHECK(e.maxMeanShift == Approx(1.0));
    CHECK(e.varianceRatioLow == Approx(0.5)); // 2 / 4
    CHECK(e.varianceRatioHigh == Approx(1.5)); // 3 / 2
    CHECK(e.biasCorrected);
    CHECK(e.shiftedChannels == 2);
    CHECK(e.biasShift == Approx(0.2)); // (0.3 + 0.1) / 2
    CHECK(e.maxBiasShift == Approx(0.3));
    CHECK(e.notes == std::vector<std::string> { "bias: example note" });
}

TEST_CASE("explainRecovery: a layer recovery left alone says nothing changed")
{
    LayerRecovery r;
    r.name = "fc";
    r.notes = { "lsq: its weight is shared with other nodes" };
    const RecoveryExplanation e = explainRecovery(r);
    CHECK_FALSE(e.refitted);
    CHECK_FALSE(e.batchNorm);
    CHECK_FALSE(e.biasCorrected);
    CHECK(e.channels == 0);
    CHECK(e.shiftedChannels == 0);
    CHECK(e.notes.size() == 1);
}
