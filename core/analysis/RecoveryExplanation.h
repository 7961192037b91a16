// What recovery changed on one layer, in the few numbers Explain mode and the inspector
// say: the layer's output error against the original before and after the least-squares
// refit, how far its BatchNorm statistics moved, how far its biases shifted. Read from the
// LayerRecovery that recover() kept, nothing recomputed.
#pragma once

#include "core/recover/Recovery.h"

#include <cstdint>
#include <string>
#include <vector>

namespace topiary {

struct RecoveryExplanation {
    std::string layer;
    bool refitted = false;
    double residualBefore = 0.0; // Σ(y − ŷ)² / Σy² of the layer's output, before and after the refit
    double residualAfter = 0.0;
    bool batchNorm = false;
    int64_t channels = 0; // BN channels whose statistics changed
    double meanShift = 0.0; // mean over channels of |running mean after − before|
    double maxMeanShift = 0.0;
    double varianceRatioLow = 1.0; // smallest and largest running variance after / before
    double varianceRatioHigh = 1.0;
    bool biasCorrected = false;
    int64_t shiftedChannels = 0;
    double biasShift = 0.0; // mean |shift| over the shifted channels
    double maxBiasShift = 0.0; // the largest |shift|
    std::vector<std::string> notes; // why a method left the layer alone
};

RecoveryExplanation explainRecovery(const LayerRecovery& recovery);

} // namespace topiary
