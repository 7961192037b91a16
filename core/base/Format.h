// How numbers become text, in one place for the CLI, the reports and (through the thin
// Qt adaptor widgets/NumberFormat) the GUI, so a value reads the same everywhere.
// Locale-independent: '.' for decimals, ',' between thousands, whatever the process's
// C locale says (the GUI process sets it from the environment).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace topiary::text {

// 1234567 -> "1,234,567"
std::string count(int64_t value);
// Three significant digits with an SI suffix: 1234567 -> "1.23 M", 532000 -> "532 k",
// 1810000000 -> "1.81 G"; below 1000 the exact count. For MACs and parameter counts.
std::string compact(int64_t value);
// Decimal units (1 MB = 10^6 bytes), three significant digits: 46760000 -> "46.8 MB",
// 2304 -> "2.30 kB", 288 -> "288 B".
std::string bytes(int64_t value);
// 1234567 -> "1,234,567 bytes": the exact size behind bytes(), for tooltips and details.
std::string exactBytes(int64_t value);
// A fraction as a percentage with one decimal, a trailing ".0" dropped: 0.3 -> "30 %",
// 0.125 -> "12.5 %".
std::string percent(double fraction);
// A fraction as a percentage with a fixed number of decimals: (0.9, 2) -> "90.00 %".
std::string percent(double fraction, int decimals);
// Fixed decimals, thousands grouped: (1234.5, 2) -> "1,234.50".
std::string fixed(double value, int decimals);
// A change, always signed: (2.5, 1) -> "+2.5", (-2, 2) -> "-2.00".
std::string signedFixed(double value, int decimals);
// Significant digits, the shorter of fixed and exponent form (printf's %g), thousands
// grouped in the fixed form: (0.000123456, 3) -> "0.000123", (1234567.0, 3) -> "1.23e+06".
std::string significant(double value, int digits);
// A tensor's dims as messages name them: {64, 3, 7, 7} -> "[64, 3, 7, 7]".
std::string dims(std::span<const int64_t> dims);
// Seconds as milliseconds with two decimals: 0.0123 -> "12.30 ms".
std::string milliseconds(double seconds);

} // namespace topiary::text
