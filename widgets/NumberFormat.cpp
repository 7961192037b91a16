#include "widgets/NumberFormat.h"

#include "core/base/Format.h"

namespace topiary::format {

QString count(qint64 value)
{
    return QString::fromStdString(text::count(value));
}

QString compact(qint64 value)
{
    return QString::fromStdString(text::compact(value));
}

QString bytes(qint64 value)
{
    return QString::fromStdString(text::bytes(value));
}

QString exactBytes(qint64 value)
{
    return QString::fromStdString(text::exactBytes(value));
}

QString percent(double fraction)
{
    return QString::fromStdString(text::percent(fraction));
}

QString fixed(double value, int decimals)
{
    return QString::fromStdString(text::fixed(value, decimals));
}

QString signedFixed(double value, int decimals)
{
    return QString::fromStdString(text::signedFixed(value, decimals));
}

QString significant(double value, int digits)
{
    return QString::fromStdString(text::significant(value, digits));
}

} // namespace topiary::format
