#include "core/base/Format.h"

#include <cstdio>
#include <cstdlib>

namespace topiary {

std::string withThousands(int64_t value)
{
    std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return value < 0 ? "-" + out : out;
}

std::string megabytes(int64_t bytes, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f MB", decimals, static_cast<double>(bytes) / 1e6);
    return buf;
}

std::string humanCount(int64_t value)
{
    char buf[64];
    const double v = static_cast<double>(value);
    if (std::llabs(value) >= 1'000'000'000)
        std::snprintf(buf, sizeof buf, "%.2f G", v / 1e9);
    else if (std::llabs(value) >= 1'000'000)
        std::snprintf(buf, sizeof buf, "%.2f M", v / 1e6);
    else if (std::llabs(value) >= 10'000)
        std::snprintf(buf, sizeof buf, "%.1f K", v / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(value));
    return buf;
}

} // namespace topiary
