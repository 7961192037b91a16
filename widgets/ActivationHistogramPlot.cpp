#include "widgets/ActivationHistogramPlot.h"

#include "widgets/PlotStyle.h"

#include "core/compress/Importance.h"

#include <QEvent>
#include <QLabel>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>

namespace topiary {

namespace {
const QColor kInsideColour(59, 120, 176);
const QColor kClippedColour(190, 190, 190);
const QColor kRangeColour(0, 140, 120);
constexpr double kLogBase = 0.7; // bars grow from here on the log axis (0 is at minus infinity)
} // namespace

ActivationHistogramPlot::ActivationHistogramPlot(QWidget* parent)
    : PlotWidget(parent)
    , m_plot(createPlot(true))
    , m_note(new QLabel(this))
{
    m_plot->setObjectName(QStringLiteral("activationHistogramPlot"));
    m_note->setObjectName(QStringLiteral("activationHistogramNote"));
    m_note->setWordWrap(true);
    m_note->setAlignment(Qt::AlignCenter);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_note);
    setMinimumSize(240, 100);

    const QFont small = plotstyle::setUpHistogramAxes(m_plot, font());
    m_plot->yAxis->setScaleType(QCPAxis::stLogarithmic);
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());

    m_clipped = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_inside = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    for (QCPBars* bars : { m_clipped, m_inside }) {
        bars->setWidthType(QCPBars::wtPlotCoords);
        bars->setPen(Qt::NoPen);
        bars->setAntialiased(false);
        bars->setBaseValue(kLogBase);
    }
    m_inside->setBrush(kInsideColour);
    m_clipped->setBrush(kClippedColour);
    for (auto*& line : m_lines) {
        line = new QCPItemStraightLine(m_plot);
        line->point1->setAxes(m_plot->xAxis, m_plot->yAxis2);
        line->point2->setAxes(m_plot->xAxis, m_plot->yAxis2);
        line->setPen(plotstyle::pen(kRangeColour, 1.6));
        line->setSelectable(false);
    }
    m_caption = new QCPItemText(m_plot);
    m_caption->setClipToAxisRect(true);
    m_caption->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_caption->position->setCoords(0.99, 0.02);
    m_caption->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    m_caption->setTextAlignment(Qt::AlignRight);
    m_caption->setFont(small);
    m_caption->setColor(kRangeColour.darker(130));
    m_caption->setBrush(QColor(255, 255, 255, 210));
    m_caption->setPadding(QMargins(3, 1, 3, 1));

    retranslateUi();
    clear();
}

void ActivationHistogramPlot::retranslateUi()
{
    m_plot->xAxis->setLabel(tr("input activation value"));
    m_plot->yAxis->setLabel(tr("values per bin"));
    updateCaption();
}

void ActivationHistogramPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

QString ActivationHistogramPlot::saveName(QCustomPlot*) const
{
    return QStringLiteral("activation-histogram");
}

void ActivationHistogramPlot::clear(const QString& note)
{
    m_range.reset();
    m_hasCounts = false;
    m_tensor.clear();
    m_inside->data()->clear();
    m_clipped->data()->clear();
    for (auto* line : m_lines)
        line->setVisible(false);
    m_plot->xAxis->setRange(0.0, 1.0);
    m_plot->yAxis->setRange(kLogBase, 10.0);
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
    updateCaption();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ActivationHistogramPlot::setData(
    const Histogram& histogram, Range range, bool symmetric, const QString& tensor, const QString& method)
{
    m_range = range;
    m_symmetric = symmetric;
    m_tensor = tensor;
    m_method = method;
    m_hasCounts = histogram.bins() > 0;
    QVector<QCPBarsData> inside;
    QVector<QCPBarsData> clipped;
    double top = 1.0;
    const double width = m_hasCounts ? histogram.edges[1] - histogram.edges[0] : 0.0;
    for (int i = 0; i < histogram.bins(); ++i) {
        const double count = static_cast<double>(histogram.counts[static_cast<size_t>(i)]);
        if (count <= 0.0)
            continue;
        const double centre
            = 0.5 * (histogram.edges[static_cast<size_t>(i)] + histogram.edges[static_cast<size_t>(i) + 1]);
        (centre < range.first || centre > range.second ? clipped : inside).append(QCPBarsData(centre, count));
        top = std::max(top, count);
    }
    for (QCPBars* bars : { m_inside, m_clipped })
        bars->setWidth(width);
    m_inside->data()->set(inside, true);
    m_clipped->data()->set(clipped, true);
    const double lo = std::min<double>(range.first, m_hasCounts ? histogram.edges.front() : range.first);
    const double hi = std::max<double>(range.second, m_hasCounts ? histogram.edges.back() : range.second);
    const double pad = std::max(1e-6, (hi - lo) * 0.03);
    m_plot->xAxis->setRange(lo - pad, hi + pad);
    m_plot->yAxis->setRange(kLogBase, std::max(10.0, top * 2.0));
    const double xs[2] = { range.first, range.second };
    for (int i = 0; i < 2; ++i) {
        m_lines[i]->point1->setCoords(xs[i], 0.0);
        m_lines[i]->point2->setCoords(xs[i], 1.0);
        m_lines[i]->setVisible(true);
    }
    const QString note = m_hasCounts ? QString()
                                     : tr("Min/max calibration keeps no histogram (one pass over the images); "
                                          "choose another method to see the values.");
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
    updateCaption();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void ActivationHistogramPlot::updateCaption()
{
    if (!m_range) {
        m_plot->setToolTip(tr("The values this layer's input took on the calibration images, and the range its 8-bit "
                              "codes cover (green); values outside it (grey) are clipped."));
        m_caption->setText(QString());
        m_caption->setVisible(false);
        return;
    }
    // The tensor's name can be long: it goes in the tooltip, the caption stays short.
    m_caption->setText(
        tr("%1 range [%2, %3] · %4")
            .arg(m_symmetric ? QStringLiteral("int8") : QStringLiteral("uint8"),
                QString::number(m_range->first, 'g', 4), QString::number(m_range->second, 'g', 4), m_method));
    m_caption->setVisible(true);
    m_plot->setToolTip(tr("The values this layer's input (%1) took on the calibration images, and the range its 8-bit "
                          "codes cover (green); values outside it (grey) are clipped.")
                           .arg(m_tensor));
}

std::optional<ActivationHistogramPlot::Range> ActivationHistogramPlot::drawnRange() const
{
    if (!m_lines[0]->visible())
        return std::nullopt;
    return Range { m_lines[0]->point1->coords().x(), m_lines[1]->point1->coords().x() };
}

int ActivationHistogramPlot::drawnBinCount() const
{
    return m_inside->data()->size() + m_clipped->data()->size();
}

int ActivationHistogramPlot::clippedBinCount() const
{
    return m_clipped->data()->size();
}

QString ActivationHistogramPlot::captionText() const
{
    return m_caption->visible() ? m_caption->text() : QString();
}

QString ActivationHistogramPlot::noteText() const
{
    return m_note->isVisible() || !m_note->text().isEmpty() ? m_note->text() : QString();
}

} // namespace topiary
