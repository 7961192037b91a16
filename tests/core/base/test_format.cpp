// Format, the one place numbers become text: each kind of number against text worked out
// by hand, including the values where rounding carries into the next digit or unit, and
// the same text whatever C locale the process runs in (the GUI sets one from LANG).
#include "core/base/Format.h"

#include <catch2/catch.hpp>

#include <clocale>
#include <string>
#include <vector>

using namespace topiary;

TEST_CASE("format: counts have thousands separators", "[format]")
{
    CHECK(text::count(0) == "0");
    CHECK(text::count(999) == "999");
    CHECK(text::count(1000) == "1,000");
    CHECK(text::count(11689512) == "11,689,512");
    CHECK(text::count(-1234567) == "-1,234,567");
}

TEST_CASE("format: compact counts keep three significant digits and an SI suffix", "[format]")
{
    CHECK(text::compact(999) == "999");
    CHECK(text::compact(1000) == "1.00 k");
    CHECK(text::compact(2304) == "2.30 k");
    CHECK(text::compact(532000) == "532 k");
    CHECK(text::compact(11689512) == "11.7 M");
    CHECK(text::compact(1814073344) == "1.81 G");
    // Rounding that reaches the next digit or unit shows as that digit or unit.
    CHECK(text::compact(9999) == "10.0 k");
    CHECK(text::compact(99960) == "100 k");
    CHECK(text::compact(999499) == "999 k");
    CHECK(text::compact(999500) == "1.00 M");
    CHECK(text::compact(-45000) == "-45.0 k");
}

TEST_CASE("format: byte sizes in decimal units, exact bytes beside them", "[format]")
{
    CHECK(text::bytes(288) == "288 B");
    CHECK(text::bytes(2304) == "2.30 kB");
    CHECK(text::bytes(46758000) == "46.8 MB");
    CHECK(text::bytes(1000000) == "1.00 MB");
    CHECK(text::bytes(3500000000) == "3.50 GB");
    CHECK(text::exactBytes(2304) == "2,304 bytes");
}

TEST_CASE("format: percentages, fixed and significant digits", "[format]")
{
    CHECK(text::percent(0.3) == "30 %");
    CHECK(text::percent(0.125) == "12.5 %");
    CHECK(text::percent(0.0) == "0 %");
    CHECK(text::percent(0.9, 2) == "90.00 %");
    CHECK(text::fixed(1234.5, 2) == "1,234.50");
    CHECK(text::fixed(-0.25, 1) == "-0.2"); // round half to even, as printf does
    CHECK(text::fixed(48.0, 0) == "48");
    CHECK(text::signedFixed(2.5, 1) == "+2.5");
    CHECK(text::signedFixed(-2.0, 2) == "-2.00");
    CHECK(text::significant(0.000123456, 3) == "0.000123");
    CHECK(text::significant(1234567.0, 3) == "1.23e+06");
    CHECK(text::significant(1234.0, 4) == "1,234");
    CHECK(text::significant(1.2e-5, 3) == "1.2e-05");
    CHECK(text::milliseconds(0.0123) == "12.30 ms");
    CHECK(text::dims(std::vector<int64_t> { 64, 3, 7, 7 }) == "[64, 3, 7, 7]");
    CHECK(text::dims(std::vector<int64_t> {}) == "[]");
}

TEST_CASE("format: the process's C locale changes nothing", "[format]")
{
    const std::string before = std::setlocale(LC_NUMERIC, nullptr);
    // de_DE writes 1.234,5 with printf; the text must not follow it. Not every machine
    // has the locale: then the check is of the C locale alone.
    std::setlocale(LC_NUMERIC, "de_DE.UTF-8");
    CHECK(text::fixed(1234.5, 1) == "1,234.5");
    CHECK(text::bytes(2304) == "2.30 kB");
    CHECK(text::significant(0.5, 3) == "0.5");
    std::setlocale(LC_NUMERIC, before.c_str());
}
