#include "widgets/ColorLegend.h"

#include "widgets/ColorScale.h"
#include "widgets/NumberFormat.h"

#include <QLinearGradient>
#include <QPainter>

#include <algorithm>

namespace topiary {

namespace {

constexpr int kBarWidth = 160;
constexpr int kBarHeight = 10;
constexpr int kMargin = 6;

QString valueText(double value)
{
    return format::significant(value, 3);
}

} // namespace

ColorLegend::ColorLegend(QWidget* parent)
    : QWidget(parent)
{
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setToolTip(tr("Colour scale of the metric the graph is coloured by."));
}

void ColorLegend::setScale(const QString& metricName, double min, double max)
{
    m_name = metricName;
    m_min = min;
    m_max = max;
    setToolTip(tr("Boxes are coloured by %1, from %2 (dark blue) to %3 (yellow); grey: no value.")
                   .arg(metricName, valueText(min), valueText(max)));
    updateGeometry();
    update();
}

QColor ColorLegend::colorAt(double value, double min, double max)
{
    return viridis(max > min ? (value - min) / (max - min) : 0.5);
}

QColor ColorLegend::textColorOn(const QColor& background)
{
    const double luminance = 0.2126 * background.redF() + 0.7152 * background.greenF() + 0.0722 * background.blueF();
    return luminance > 0.45 ? QColor(Qt::black) : QColor(Qt::white);
}

QSize ColorLegend::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const int width = std::max(kBarWidth, fm.horizontalAdvance(m_name)) + 2 * kMargin;
    return {width, 2 * fm.height() + kBarHeight + 2 * kMargin + 4};
}

void ColorLegend::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const QFontMetrics fm = fontMetrics();
    QColor panel = palette().color(QPalette::Base);
    panel.setAlpha(230);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(palette().color(QPalette::Mid));
    p.setBrush(panel);
    p.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);

    p.setPen(palette().color(QPalette::Text));
    const QRect nameRect(kMargin, kMargin, width() - 2 * kMargin, fm.height());
    p.drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter, fm.elidedText(m_name, Qt::ElideRight, nameRect.width()));

    const QRect bar(kMargin, nameRect.bottom() + 3, width() - 2 * kMargin, kBarHeight);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    addViridisStops(gradient);
    p.setPen(Qt::NoPen);
    p.fillRect(bar, gradient);

    p.setPen(palette().color(QPalette::Text));
    const QRect labels(kMargin, bar.bottom() + 2, bar.width(), fm.height());
    p.drawText(labels, Qt::AlignLeft | Qt::AlignVCenter, valueText(m_min));
    p.drawText(labels, Qt::AlignRight | Qt::AlignVCenter, valueText(m_max));
}

} // namespace topiary
