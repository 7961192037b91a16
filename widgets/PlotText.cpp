#include "widgets/PlotText.h"

#include <qcustomplot.h>

#include <QFontMetrics>
#include <QStringList>

namespace topiary::plottext {

namespace {

constexpr char kFullLabel[] = "topiaryFullLabel";

void refit(QCPAxis* axis)
{
    if (!axis->axisRect())
        return;
    const QString full = axis->property(kFullLabel).toString();
    const int length = axis->orientation() == Qt::Horizontal ? axis->axisRect()->width() : axis->axisRect()->height();
    const QString text = length > 0 ? wrapped(full, QFontMetrics(axis->labelFont()), length - 8) : full;
    if (axis->label() != text)
        axis->setLabel(text);
}

} // namespace

QString wrapped(const QString& text, const QFontMetrics& metrics, int width)
{
    QStringList lines;
    QString current;
    for (const QString& word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QString longer = current.isEmpty() ? word : current + QLatin1Char(' ') + word;
        if (!current.isEmpty() && metrics.horizontalAdvance(longer) > width) {
            lines << current;
            current = word;
        } else {
            current = longer;
        }
    }
    if (!current.isEmpty())
        lines << current;
    return lines.join(QLatin1Char('\n'));
}

void setFittedLabel(QCPAxis* axis, const QString& label)
{
    const bool first = !axis->property(kFullLabel).isValid();
    axis->setProperty(kFullLabel, label);
    axis->setLabel(label);
    refit(axis);
    if (first)
        QObject::connect(axis->parentPlot(), &QCustomPlot::beforeReplot, axis, [axis] { refit(axis); });
}

QString fullLabel(const QCPAxis* axis)
{
    return axis->property(kFullLabel).toString();
}

void fitLegend(QCPLegend* legend, bool wanted)
{
    QCPAxisRect* rect = legend->parentPlot()->axisRect();
    const QSize needed = legend->minimumOuterSizeHint();
    const bool fits = needed.width() <= rect->width() - 8 && needed.height() <= rect->height() - 8;
    legend->setVisible(wanted && fits);
}

} // namespace topiary::plottext
