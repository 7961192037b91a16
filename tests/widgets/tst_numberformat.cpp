// NumberFormat, the GUI's door to core/base/Format: the GUI shows a number as the same
// text the CLI and the reports print for it (core's functions are checked against hand-
// worked text in tests/core/base/test_format.cpp), whatever the user's locale.
#include "widgets/NumberFormat.h"

#include "core/base/Format.h"

#include <QLocale>
#include <QTest>

#include <array>

using namespace topiary;
using namespace Qt::StringLiterals;

class NumberFormatTest : public QObject {
    Q_OBJECT

private:
    static constexpr std::array<qint64, 12> kCounts { 0, 7, 999, 1000, 2304, 9999, 45000, 532000, 999500, 11689512,
        1814073344, -1234567 };
    static constexpr std::array<double, 8> kReals { 0.0, 0.125, 0.3, 0.48, 1.0 / 3.0, 1234.5, 0.000123456, -0.0575 };

    void compareAll()
    {
        for (qint64 v : kCounts) {
            QCOMPARE(format::count(v), QString::fromStdString(text::count(v)));
            QCOMPARE(format::compact(v), QString::fromStdString(text::compact(v)));
            QCOMPARE(format::bytes(v), QString::fromStdString(text::bytes(v)));
            QCOMPARE(format::exactBytes(v), QString::fromStdString(text::exactBytes(v)));
        }
        for (double v : kReals) {
            QCOMPARE(format::percent(v), QString::fromStdString(text::percent(v)));
            for (int digits = 0; digits <= 3; ++digits) {
                QCOMPARE(format::fixed(v, digits), QString::fromStdString(text::fixed(v, digits)));
                QCOMPARE(format::signedFixed(v, digits), QString::fromStdString(text::signedFixed(v, digits)));
                QCOMPARE(format::significant(v, digits + 1), QString::fromStdString(text::significant(v, digits + 1)));
            }
        }
    }

private slots:
    void sameTextAsCore() { compareAll(); }

    void sameTextAsTheCliPrints()
    {
        // What `topiary-cli stats` and `info` print for these values (the CLI calls text::).
        QCOMPARE(format::count(11689512), u"11,689,512"_s);
        QCOMPARE(format::compact(1814073344), u"1.81 G"_s);
        QCOMPARE(format::compact(532000), u"532 k"_s);
        QCOMPARE(format::bytes(46758000), u"46.8 MB"_s);
        QCOMPARE(format::percent(0.3), u"30 %"_s);
    }

    void aGermanLocaleChangesNothing()
    {
        const QLocale before;
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
        compareAll();
        QCOMPARE(format::fixed(1234.5, 1), u"1,234.5"_s);
        QLocale::setDefault(before);
    }
};

QTEST_MAIN(NumberFormatTest)
#include "tst_numberformat.moc"
