// The GUI's door to core/base/Format, the one place numbers become text: each function
// only turns core's std::string into a QString, so a value reads the same in the GUI,
// the CLI and the reports (tests/widgets/tst_numberformat checks they agree).
#pragma once

#include <QString>

namespace topiary::format {

// 1234567 -> "1,234,567"
QString count(qint64 value);
// 1234567 -> "1.23 M"; below 1000 the exact count.
QString compact(qint64 value);
// 1234567 -> "1.23 MB", 2304 -> "2.30 kB", 288 -> "288 B" (decimal units).
QString bytes(qint64 value);
// 1234567 -> "1,234,567 bytes"
QString exactBytes(qint64 value);
// 0.3 -> "30 %", 0.125 -> "12.5 %": a fraction as a percentage, a trailing ".0" dropped.
QString percent(double fraction);
// (1234.5, 2) -> "1,234.50"
QString fixed(double value, int decimals);
// (2.5, 1) -> "+2.5": a change, always signed.
QString signedFixed(double value, int decimals);
// (0.000123456, 3) -> "0.000123": significant digits, like printf's %g.
QString significant(double value, int digits);

} // namespace topiary::format
