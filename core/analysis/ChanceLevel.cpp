#include "core/analysis/ChanceLevel.h"

#include <iomanip>
#include <sstream>

namespace topiary {

bool nearChance(const EvaluationMetrics& m)
{
    if (m.labelled <= 0 || m.numClasses < 2)
        return false;
    const double chance = 1.0 / m.numClasses;
    return m.top1().high < chance + 0.15 * (1.0 - chance);
}

std::string nearChanceText(const EvaluationMetrics& m)
{
    if (!nearChance(m))
        return {};
    std::ostringstream out;
    out << std::fixed << std::setprecision(2) << "top-1 " << 100.0 * m.top1().value << " % is little better than chance ("
        << std::setprecision(m.numClasses > 100 ? 2 : 1) << 100.0 / m.numClasses << " % for " << m.numClasses
        << " classes)";
    return out.str();
}

} // namespace topiary
