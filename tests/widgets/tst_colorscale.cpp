// ColorScale: the viridis ramp every value-coloured view shares. Its ends are matplotlib's
// viridis ends, it gets brighter all the way (so it reads in grey), and the plot gradient,
// the painted legend and viridis() give the same colour at the same place.
#include "widgets/ColorScale.h"

#include <qcustomplot.h>

#include <QImage>
#include <QLinearGradient>
#include <QPainter>
#include <QTest>

#include <cmath>
#include <limits>

using topiary::viridis;

namespace {

// Relative luminance (sRGB, ITU-R BT.709 weights on linearised channels).
double luminance(const QColor& c)
{
    auto lin = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF());
}

int distance(const QColor& a, const QColor& b)
{
    return std::max({ std::abs(a.red() - b.red()), std::abs(a.green() - b.green()), std::abs(a.blue() - b.blue()) });
}

} // namespace

class TestColorScale : public QObject {
    Q_OBJECT

private slots:
    void endsAreViridisEnds()
    {
        QCOMPARE(viridis(0.0), QColor(68, 1, 84)); // #440154
        QCOMPARE(viridis(1.0), QColor(253, 231, 37)); // #fde725
        QCOMPARE(viridis(0.5), QColor(33, 144, 141)); // #21908d, the middle of the scale
        // Out of range and NaN clamp rather than wrap or go black.
        QCOMPARE(viridis(-3.0), viridis(0.0));
        QCOMPARE(viridis(7.0), viridis(1.0));
        QCOMPARE(viridis(std::numeric_limits<double>::quiet_NaN()), viridis(0.0));
    }

    void luminanceRisesMonotonically()
    {
        double previous = -1.0;
        for (int i = 0; i <= 200; ++i) {
            const double l = luminance(viridis(i / 200.0));
            QVERIFY2(l > previous, qPrintable(QStringLiteral("luminance falls at t = %1").arg(i / 200.0)));
            previous = l;
        }
        QVERIFY(luminance(viridis(1.0)) > 10 * luminance(viridis(0.0)));
    }

    void plotGradientMatches()
    {
        QCPColorGradient g = topiary::viridisGradient(); // color() is not const: it fills a lookup table
        for (int i = 0; i <= 20; ++i) {
            const double t = i / 20.0;
            const QColor plotted = QColor::fromRgba(g.color(t, QCPRange(0.0, 1.0)));
            QVERIFY2(distance(plotted, viridis(t)) <= 2,
                qPrintable(QStringLiteral("t = %1: plot %2, viridis %3").arg(t).arg(plotted.name(), viridis(t).name())));
        }
        QCOMPARE(g.nanHandling(), QCPColorGradient::nhTransparent);
    }

    void paintedLegendMatches()
    {
        QImage image(201, 1, QImage::Format_RGB32);
        QLinearGradient gradient(0, 0, 200, 0);
        topiary::addViridisStops(gradient);
        QPainter p(&image);
        p.fillRect(image.rect(), gradient);
        p.end();
        for (int x = 0; x <= 200; x += 10) {
            const QColor painted = image.pixelColor(x, 0);
            QVERIFY2(distance(painted, viridis(x / 200.0)) <= 3,
                qPrintable(QStringLiteral("x = %1: painted %2, viridis %3").arg(x).arg(painted.name(), viridis(x / 200.0).name())));
        }
    }
};

QTEST_MAIN(TestColorScale)
#include "tst_colorscale.moc"
