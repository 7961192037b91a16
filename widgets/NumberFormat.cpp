#include "widgets/NumberFormat.h"

#include <QCoreApplication>

#include <array>
#include <cmath>

namespace topiary::format {

namespace {

// Three significant digits: 1.23, 12.3, 123.
QString scaled(qint64 value, double unit, const QString& suffix)
{
    const double v = static_cast<double>(value) / unit;
    const double magnitude = std::fabs(v);
    const int decimals = magnitude >= 100.0 ? 0 : magnitude >= 10.0 ? 1 : 2;
    return locale().toString(v, 'f', decimals) + QLatin1Char(' ') + suffix;
}

} // namespace

QLocale locale()
{
    QLocale loc;
    if (loc.language() == QLocale::C)
        loc = QLocale(QLocale::English, QLocale::UnitedStates);
    loc.setNumberOptions(loc.numberOptions() & ~QLocale::OmitGroupSeparator);
    return loc;
}

QString count(qint64 value)
{
    return locale().toString(value);
}

QString compact(qint64 value)
{
    static constexpr std::array<const char*, 4> suffixes{"k", "M", "G", "T"};
    const qint64 magnitude = value < 0 ? -value : value;
    if (magnitude < 1000)
        return count(value);
    double unit = 1e3;
    size_t i = 0;
    while (i + 1 < suffixes.size() && static_cast<double>(magnitude) >= unit * 1000.0 * 0.9995) {
        unit *= 1000.0;
        ++i;
    }
    return scaled(value, unit, QString::fromLatin1(suffixes[i]));
}

QString bytes(qint64 value)
{
    static constexpr std::array<const char*, 4> units{"kB", "MB", "GB", "TB"};
    const qint64 magnitude = value < 0 ? -value : value;
    if (magnitude < 1000)
        return QCoreApplication::translate("topiary::format", "%1 B").arg(count(value));
    double unit = 1e3;
    size_t i = 0;
    while (i + 1 < units.size() && static_cast<double>(magnitude) >= unit * 1000.0 * 0.9995) {
        unit *= 1000.0;
        ++i;
    }
    return scaled(value, unit, QString::fromLatin1(units[i]));
}

QString exactBytes(qint64 value)
{
    return QCoreApplication::translate("topiary::format", "%1 bytes").arg(count(value));
}

QString percent(double fraction)
{
    QString text = locale().toString(100.0 * fraction, 'f', 1);
    const QString zero = locale().decimalPoint() + locale().zeroDigit();
    if (text.endsWith(zero))
        text.chop(zero.size());
    return QCoreApplication::translate("topiary::format", "%1 %").arg(text);
}

} // namespace topiary::format
