#include "widgets/PlotStyle.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QMetaProperty>

namespace topiary::plotstyle {

namespace {

// Announces line-scale changes to the followers (one per plot, parented to it).
class Notifier : public QObject {
    Q_OBJECT
public:
    static Notifier& instance()
    {
        static Notifier notifier;
        return notifier;
    }
    double scale = 1.0;
signals:
    void scaleChanged();
};

double scaledWidth(double width, double factor)
{
    // Width 0 is Qt's cosmetic one-pixel pen: it scales like 1.
    return (width > 0.0 ? width : 1.0) * factor;
}

// Multiplies every QPen width and QFont size the layerables of `plot` expose as
// properties (QCustomPlot declares them all as Q_PROPERTYs), and graph markers.
void rescale(QCustomPlot* plot, double lineFactor, double fontFactor)
{
    for (QCPLayerable* layerable : plot->findChildren<QCPLayerable*>()) {
        const QMetaObject* meta = layerable->metaObject();
        for (int i = 0; i < meta->propertyCount(); ++i) {
            const QMetaProperty property = meta->property(i);
            if (!property.isWritable())
                continue;
            if (lineFactor != 1.0 && property.metaType() == QMetaType::fromType<QPen>()) {
                QPen pen = property.read(layerable).value<QPen>();
                if (pen.style() == Qt::NoPen)
                    continue;
                pen.setWidthF(scaledWidth(pen.widthF(), lineFactor));
                property.write(layerable, pen);
            } else if (fontFactor != 1.0 && property.metaType() == QMetaType::fromType<QFont>()) {
                QFont font = property.read(layerable).value<QFont>();
                if (font.pointSizeF() > 0)
                    font.setPointSizeF(font.pointSizeF() * fontFactor);
                else if (font.pixelSize() > 0)
                    font.setPixelSize(std::max(1, qRound(font.pixelSize() * fontFactor)));
                property.write(layerable, font);
            }
        }
        if (lineFactor == 1.0)
            continue;
        if (auto* graph = qobject_cast<QCPGraph*>(layerable)) {
            QCPScatterStyle scatter = graph->scatterStyle();
            if (!scatter.isNone()) {
                scatter.setSize(scatter.size() * lineFactor);
                QPen pen = scatter.pen();
                if (pen.style() != Qt::NoPen) {
                    pen.setWidthF(scaledWidth(pen.widthF(), lineFactor));
                    scatter.setPen(pen);
                }
                graph->setScatterStyle(scatter);
            }
        } else if (auto* errors = qobject_cast<QCPErrorBars*>(layerable)) {
            errors->setWhiskerWidth(errors->whiskerWidth() * lineFactor);
        }
    }
}

double fontSize(const QFont& font)
{
    return font.pointSizeF() > 0 ? font.pointSizeF() : font.pixelSize();
}

// Lives on the plot: remembers the font size and line scale the plot was last drawn at.
class Follower : public QObject {
public:
    explicit Follower(QCustomPlot* plot)
        : QObject(plot)
        , m_plot(plot)
        , m_fontSize(fontSize(plot->font()))
    {
        plot->installEventFilter(this);
        connect(&Notifier::instance(), &Notifier::scaleChanged, this, &Follower::apply);
    }

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (watched == m_plot && event->type() == QEvent::FontChange)
            apply();
        return false;
    }

private:
    void apply()
    {
        const double size = fontSize(m_plot->font());
        const double fontFactor = m_fontSize > 0 && size > 0 ? size / m_fontSize : 1.0;
        const double lineFactor = Notifier::instance().scale / m_lineScale;
        if (fontFactor == 1.0 && lineFactor == 1.0)
            return;
        rescale(m_plot, lineFactor, fontFactor);
        m_fontSize = size;
        m_lineScale = Notifier::instance().scale;
        m_plot->replot();
    }

    QCustomPlot* m_plot;
    double m_fontSize;
    double m_lineScale = Notifier::instance().scale;
};

} // namespace

double lineScale()
{
    return Notifier::instance().scale;
}

void setLineScale(double scale)
{
    if (!(scale > 0.0) || scale == Notifier::instance().scale)
        return;
    Notifier::instance().scale = scale;
    emit Notifier::instance().scaleChanged();
}

QPen pen(const QColor& color, double width, Qt::PenStyle style)
{
    return QPen(QBrush(color), width * lineScale(), style);
}

double markerSize(double size)
{
    return size * lineScale();
}

void follow(QCustomPlot* plot)
{
    new Follower(plot);
}

QFont setUpHistogramAxes(QCustomPlot* plot, const QFont& base)
{
    QFont small = base;
    small.setPointSizeF(base.pointSizeF() * 0.9);
    for (QCPAxis* axis : { plot->xAxis, plot->yAxis }) {
        axis->setTickLabelFont(small);
        axis->setLabelFont(small);
    }
    plot->yAxis2->setRange(0.0, 1.0);
    plot->yAxis2->setVisible(false);
    return small;
}

} // namespace topiary::plotstyle

#include "PlotStyle.moc"
