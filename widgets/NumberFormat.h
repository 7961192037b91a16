// How numbers look on screen, in one place so every widget shows a count or a size the
// same way: counts with thousands separators, sizes in decimal units (1 MB = 10^6 bytes).
#pragma once

#include <QLocale>
#include <QString>

namespace topiary::format {

// The locale numbers are shown in: the user's, or English when the process runs in the
// C locale (which would print counts without separators).
QLocale locale();

// 1234567 -> "1,234,567"
QString count(qint64 value);
// 1234567 -> "1.23 M"; below 1000 the exact count.
QString compact(qint64 value);
// 1234567 -> "1.23 MB", 2304 -> "2.30 kB", 288 -> "288 B" (decimal units).
QString bytes(qint64 value);
// 1234567 -> "1,234,567 bytes"
QString exactBytes(qint64 value);
// 0.3 -> "30 %", 0.125 -> "12.5 %": a fraction as a percentage, trailing zeros dropped.
QString percent(double fraction);

} // namespace topiary::format
