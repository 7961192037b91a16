#include "widgets/PlotTicks.h"

#include <qcustomplot.h>

#include <QFontMetrics>

#include <algorithm>
#include <cmath>

namespace topiary::plotticks {

int integerStep(double span, double pixels, double labelPixels)
{
    if (!(span > 0) || !(pixels > 0) || !(labelPixels > 0))
        return 1;
    const double wanted = span * labelPixels / pixels; // units per label
    for (int power = 1; power <= 1'000'000'000; power *= 10)
        for (int m : { 1, 2, 5 })
            if (m * power >= wanted)
                return m * power;
    return 1'000'000'000;
}

void updateIntegerTicks(QCPAxis* axis)
{
    auto ticker = axis->ticker().dynamicCast<QCPAxisTickerFixed>();
    if (!ticker || !axis->axisRect())
        return;
    const QCPRange range = axis->range();
    const QFontMetrics metrics(axis->tickLabelFont());
    const bool horizontal = axis->orientation() == Qt::Horizontal;
    double label = 0;
    if (horizontal) {
        const long widest = static_cast<long>(std::max(std::abs(range.lower), std::abs(range.upper)));
        label = metrics.horizontalAdvance(QString::number(widest)) + metrics.horizontalAdvance(QStringLiteral("00"));
    } else {
        label = metrics.height() * 1.4;
    }
    const double pixels = horizontal ? axis->axisRect()->width() : axis->axisRect()->height();
    ticker->setTickStep(integerStep(range.size(), pixels, label));
}

void fitIntegerTicks(QCPAxis* axis)
{
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssNone);
    axis->setTicker(ticker);
    QObject::connect(axis->parentPlot(), &QCustomPlot::beforeReplot, axis, [axis] { updateIntegerTicks(axis); });
}

} // namespace topiary::plotticks
