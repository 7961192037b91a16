#include "core/base/Format.h"

#include <array>
#include <charconv>
#include <cmath>

namespace topiary::text {

namespace {

// Puts ',' between the thousands of the integer part of a plain decimal number;
// exponent forms, "nan" and "inf" are left as they are.
std::string grouped(std::string number)
{
    if (number.find_first_of("eEni") != std::string::npos)
        return number;
    const size_t start = number[0] == '-' ? 1 : 0;
    size_t end = number.find('.');
    if (end == std::string::npos)
        end = number.size();
    for (size_t i = end; i > start + 3; i -= 3)
        number.insert(i - 3, 1, ',');
    return number;
}

// std::to_chars is locale-independent, unlike printf once a GUI has called setlocale().
std::string chars(double value, std::chars_format style, int precision)
{
    std::array<char, 400> buffer {};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, style, precision);
    if (ec != std::errc())
        return "?";
    return std::string(buffer.data(), end);
}

// value / unit with three significant digits (1.23, 12.3, 123) and the unit's suffix;
// the digits are chosen after rounding, so 9.999 shows as "10.0", not "10.00".
std::string scaled(int64_t value, double unit, const char* suffix)
{
    const double v = static_cast<double>(value) / unit;
    const double magnitude = std::fabs(v);
    const int decimals = magnitude >= 99.95 ? 0 : magnitude >= 9.995 ? 1 : 2;
    return fixed(v, decimals) + ' ' + suffix;
}

// Picks the largest of `suffixes` (powers of 1000 from 10^3) that keeps the value below
// 999.5 of it once rounded; below 1000 the value stays as it is.
template <size_t N>
std::string decimalUnits(int64_t value, const std::array<const char*, N>& suffixes, const std::string& small)
{
    const double magnitude = std::fabs(static_cast<double>(value));
    if (magnitude < 1000.0)
        return small;
    double unit = 1e3;
    size_t i = 0;
    while (i + 1 < N && magnitude >= unit * 999.5) {
        unit *= 1000.0;
        ++i;
    }
    return scaled(value, unit, suffixes[i]);
}

} // namespace

std::string count(int64_t value)
{
    return grouped(std::to_string(value));
}

std::string compact(int64_t value)
{
    static constexpr std::array<const char*, 4> suffixes { "k", "M", "G", "T" };
    return decimalUnits(value, suffixes, count(value));
}

std::string bytes(int64_t value)
{
    static constexpr std::array<const char*, 4> units { "kB", "MB", "GB", "TB" };
    return decimalUnits(value, units, count(value) + " B");
}

std::string exactBytes(int64_t value)
{
    return count(value) + " bytes";
}

std::string percent(double fraction)
{
    std::string text = fixed(100.0 * fraction, 1);
    if (text.ends_with(".0"))
        text.resize(text.size() - 2);
    return text + " %";
}

std::string percent(double fraction, int decimals)
{
    return fixed(100.0 * fraction, decimals) + " %";
}

std::string fixed(double value, int decimals)
{
    return grouped(chars(value, std::chars_format::fixed, decimals));
}

std::string signedFixed(double value, int decimals)
{
    const std::string digits = fixed(value, decimals);
    return digits.starts_with('-') ? digits : "+" + digits;
}

std::string significant(double value, int digits)
{
    return grouped(chars(value, std::chars_format::general, digits));
}

std::string dims(std::span<const int64_t> dims)
{
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i)
        s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + "]";
}

std::string milliseconds(double seconds)
{
    return fixed(1000.0 * seconds, 2) + " ms";
}

} // namespace topiary::text
