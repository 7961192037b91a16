#include "core/eval/ClassScores.h"

#include <algorithm>
#include <cmath>

namespace topiary {

int predictedClass(std::span<const float> row)
{
    int best = -1;
    for (size_t i = 0; i < row.size(); ++i)
        if (!std::isnan(row[i]) && (best < 0 || row[i] > row[static_cast<size_t>(best)]))
            best = static_cast<int>(i);
    return best < 0 && !row.empty() ? 0 : best;
}

int rankOf(std::span<const float> row, int label)
{
    const float v = row[static_cast<size_t>(label)];
    if (std::isnan(v))
        return static_cast<int>(row.size());
    int rank = 0;
    for (size_t i = 0; i < row.size(); ++i)
        if (row[i] > v || (row[i] == v && static_cast<int>(i) < label))
            ++rank;
    return rank;
}

bool isProbabilityRow(std::span<const float> row)
{
    double sum = 0.0;
    for (float v : row) {
        if (!(v >= 0.0f && v <= 1.0f))
            return false;
        sum += v;
    }
    return !row.empty() && std::abs(sum - 1.0) <= 1e-4;
}

void logProbabilities(std::span<const float> row, std::vector<double>& out)
{
    out.resize(row.size());
    if (isProbabilityRow(row)) {
        for (size_t i = 0; i < row.size(); ++i)
            out[i] = std::log(std::max(static_cast<double>(row[i]), 1e-45));
        return;
    }
    double top = -INFINITY;
    for (float v : row)
        top = std::max(top, static_cast<double>(v));
    double sum = 0.0;
    for (float v : row)
        sum += std::exp(static_cast<double>(v) - top);
    const double logSum = top + std::log(sum);
    for (size_t i = 0; i < row.size(); ++i)
        out[i] = static_cast<double>(row[i]) - logSum;
}

double klDivergence(std::span<const float> referenceRow, std::span<const float> row)
{
    thread_local std::vector<double> logRef;
    thread_local std::vector<double> logP;
    logProbabilities(referenceRow, logRef);
    logProbabilities(row, logP);
    double kl = 0.0;
    for (size_t i = 0; i < logRef.size() && i < logP.size(); ++i) {
        const double p = std::exp(logRef[i]);
        if (p > 0.0)
            kl += p * (logRef[i] - logP[i]);
    }
    // Rounding can leave a tiny negative sum for identical rows; KL is never negative.
    return std::max(0.0, kl);
}

} // namespace topiary
