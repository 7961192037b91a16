#include "core/analysis/RecoveryExplanation.h"

#include <algorithm>
#include <cmath>

namespace topiary {

RecoveryExplanation explainRecovery(const LayerRecovery& recovery)
{
    RecoveryExplanation out;
    out.layer = recovery.name;
    out.notes = recovery.notes;
    out.refitted = recovery.refitted;
    if (recovery.refitted) {
        out.residualBefore = recovery.residualBefore;
        out.residualAfter = recovery.residualAfter;
    }
    out.batchNorm = recovery.batchNorm;
    if (recovery.batchNorm) {
        const size_t n = std::min({ recovery.meanBefore.size(), recovery.meanAfter.size(), recovery.varBefore.size(),
            recovery.varAfter.size() });
        double sum = 0.0;
        bool first = true;
        for (size_t c = 0; c < n; ++c) {
            const double shift = std::abs(recovery.meanAfter[c] - recovery.meanBefore[c]);
            const bool changed = shift > 0.0 || recovery.varAfter[c] != recovery.varBefore[c];
            if (!changed)
                continue; // a pruned channel keeps its statistics
            ++out.channels;
            sum += shift;
            out.maxMeanShift = std::max(out.maxMeanShift, shift);
            if (recovery.varBefore[c] > 0.0) {
                const double ratio = recovery.varAfter[c] / recovery.varBefore[c];
                out.varianceRatioLow = first ? ratio : std::min(out.varianceRatioLow, ratio);
                out.varianceRatioHigh = first ? ratio : std::max(out.varianceRatioHigh, ratio);
                first = false;
            }
        }
        out.meanShift = out.channels > 0 ? sum / static_cast<double>(out.channels) : 0.0;
    }
    out.biasCorrected = !recovery.biasShift.empty();
    double sum = 0.0;
    for (double s : recovery.biasShift)
        if (s != 0.0) {
            ++out.shiftedChannels;
            sum += std::abs(s);
            out.maxBiasShift = std::max(out.maxBiasShift, std::abs(s));
        }
    out.biasShift = out.shiftedChannels > 0 ? sum / static_cast<double>(out.shiftedChannels) : 0.0;
    return out;
}

} // namespace topiary
