#include "widgets/ParetoPlot.h"
#include "widgets/PlotStyle.h"

#include "widgets/NumberFormat.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace topiary {

namespace {

const QColor kPointColor(0x4e, 0x79, 0xa7);
const QColor kFrontColor(0xe1, 0x57, 0x59);
const QColor kRecoveredColor(0x59, 0xa1, 0x4f); // green: measured after recovery
const QColor kCurrentColor(0x20, 0x20, 0x20);
constexpr double kPickDistance = 8.0;

} // namespace

ParetoPlot::ParetoPlot(QWidget* parent)
    : PlotWidget(parent)
    , m_plot(createPlot(false))
    , m_legend(new QLabel(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_legend);
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setContentsMargins(6, 0, 6, 2);
    m_plot->setMinimumSize(320, 180);

    m_charts[0].rect = m_plot->axisRect();
    m_charts[1].rect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_charts[1].rect);
    auto* group = new QCPMarginGroup(m_plot);
    for (Chart& c : m_charts) {
        QCPAxis* x = c.rect->axis(QCPAxis::atBottom);
        QCPAxis* y = c.rect->axis(QCPAxis::atLeft);
        c.rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
        c.points = m_plot->addGraph(x, y);
        c.points->setLineStyle(QCPGraph::lsNone);
        c.points->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kPointColor, plotstyle::markerSize(7)));
        c.errors = new QCPErrorBars(x, y);
        c.errors->setDataPlottable(c.points);
        c.errors->setPen(plotstyle::pen(QColor(kPointColor.red(), kPointColor.green(), kPointColor.blue(), 140)));
        c.errors->setWhiskerWidth(5);
        c.front = m_plot->addGraph(x, y);
        // The best accuracy reachable at a cost holds until the next cheaper-to-better step.
        c.front->setLineStyle(QCPGraph::lsStepLeft);
        c.front->setPen(plotstyle::pen(kFrontColor, 2));
        c.front->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, kFrontColor, plotstyle::markerSize(8)));
        c.current = m_plot->addGraph(x, y);
        c.current->setLineStyle(QCPGraph::lsNone);
        c.current->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, plotstyle::pen(kCurrentColor, 2.5), Qt::NoBrush, plotstyle::markerSize(16)));
        c.recovered = m_plot->addGraph(x, y);
        c.recovered->setLineStyle(QCPGraph::lsNone);
        c.recovered->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, plotstyle::pen(kRecoveredColor, 2), Qt::NoBrush, plotstyle::markerSize(13)));
        c.recovered->setSelectable(QCP::stNone);
        for (QCPAbstractPlottable* p : { static_cast<QCPAbstractPlottable*>(c.points),
                 static_cast<QCPAbstractPlottable*>(c.errors), static_cast<QCPAbstractPlottable*>(c.front),
                 static_cast<QCPAbstractPlottable*>(c.current) })
            p->setSelectable(QCP::stNone);
    }
    // Both charts show the same accuracies: one vertical scale.
    connect(m_charts[0].rect->axis(QCPAxis::atLeft), qOverload<const QCPRange&>(&QCPAxis::rangeChanged),
        m_charts[1].rect->axis(QCPAxis::atLeft), qOverload<const QCPRange&>(&QCPAxis::setRange));

    connect(m_plot, &QCustomPlot::mouseMove, this, &ParetoPlot::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &ParetoPlot::onMousePress);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &ParetoPlot::onMouseRelease);
    retranslateUi();
    updateCharts();
}

void ParetoPlot::retranslateUi()
{
    m_charts[0].rect->axis(QCPAxis::atBottom)->setLabel(tr("Weight size (MB)"));
    m_charts[1].rect->axis(QCPAxis::atBottom)->setLabel(tr("MACs (millions)"));
    m_charts[0].rect->axis(QCPAxis::atLeft)->setLabel(tr("Accuracy (%)"));
    m_charts[1].rect->axis(QCPAxis::atLeft)->setLabel(QString());
    m_legend->setText(tr("<span style=\"color:%1\">●</span> a plan (bars: 95 % interval) &nbsp; "
                         "<span style=\"color:%2\">●━</span> best trade-offs (Pareto front) &nbsp; ◯ current plan &nbsp; "
                         "<span style=\"color:%3\">◇</span> after recovery")
                          .arg(kPointColor.name(), kFrontColor.name(), kRecoveredColor.name()));
    setToolTip(tr("Every plan evaluated in this session; red steps are the best trade-offs, click a plan to "
                  "restore it."));
}

void ParetoPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        m_plot->replot();
    }
    QWidget::changeEvent(event);
}

void ParetoPlot::clear()
{
    m_set.clear();
    m_current = -1;
    updateCharts();
}

void ParetoPlot::setPoints(const ParetoSet& set)
{
    m_set = set;
    updateCharts();
}

void ParetoPlot::setCurrent(int id)
{
    m_current = id;
    updateCurrent();
    m_plot->replot();
}

double ParetoPlot::xOf(const ParetoPoint& p, ParetoCost chart) const
{
    return static_cast<double>(paretoCost(p, chart)) / 1e6; // MB, millions of MACs
}

void ParetoPlot::updateCharts()
{
    double low = 100.0, high = 0.0;
    for (ParetoCost cost : { ParetoCost::Size, ParetoCost::Macs }) {
        Chart& c = m_charts[index(cost)];
        std::vector<const ParetoPoint*> shown;
        for (const auto& p : m_set.points())
            if (std::isfinite(p.accuracy.value)) // not measured yet: nowhere to put it
                shown.push_back(&p);
        std::stable_sort(shown.begin(), shown.end(),
            [&](const ParetoPoint* a, const ParetoPoint* b) { return paretoCost(*a, cost) < paretoCost(*b, cost); });
        QVector<double> keys, values, minus, plus;
        c.ids.clear();
        double maxX = 0.0;
        for (const ParetoPoint* p : shown) {
            c.ids.push_back(p->id);
            keys.push_back(xOf(*p, cost));
            values.push_back(100.0 * p->accuracy.value);
            minus.push_back(100.0 * (p->accuracy.value - p->accuracy.low));
            plus.push_back(100.0 * (p->accuracy.high - p->accuracy.value));
            low = std::min(low, 100.0 * p->accuracy.low);
            high = std::max(high, 100.0 * p->accuracy.high);
            maxX = std::max(maxX, keys.back());
        }
        c.points->setData(keys, values, true);
        c.errors->setData(minus, plus);
        QVector<double> recoveredKeys, recoveredValues;
        for (const ParetoPoint* p : shown)
            if (p->recovered) {
                recoveredKeys.push_back(xOf(*p, cost));
                recoveredValues.push_back(100.0 * p->accuracy.value);
            }
        c.recovered->setData(recoveredKeys, recoveredValues, true);

        QVector<double> frontKeys, frontValues;
        for (int id : m_set.front(cost)) {
            const ParetoPoint* p = m_set.find(id);
            frontKeys.push_back(xOf(*p, cost));
            frontValues.push_back(100.0 * p->accuracy.value);
        }
        c.front->setData(frontKeys, frontValues, true);
        // Costs start at zero: a plan's distance from the origin reads as its saving.
        c.rect->axis(QCPAxis::atBottom)->setRange(0.0, maxX > 0.0 ? maxX * 1.08 : 1.0);
    }
    if (high < low) {
        low = 0.0;
        high = 100.0;
    }
    const double margin = std::max((high - low) * 0.08, 0.5);
    m_charts[0].rect->axis(QCPAxis::atLeft)->setRange(std::max(0.0, low - margin), std::min(100.0, high + margin));
    updateCurrent();
    m_plot->replot();
}

void ParetoPlot::updateCurrent()
{
    const ParetoPoint* p = m_set.find(m_current);
    for (ParetoCost cost : { ParetoCost::Size, ParetoCost::Macs }) {
        QCPGraph* g = m_charts[index(cost)].current;
        if (p && std::isfinite(p->accuracy.value))
            g->setData(QVector<double> { xOf(*p, cost) }, QVector<double> { 100.0 * p->accuracy.value });
        else
            g->data()->clear();
    }
}

QPoint ParetoPlot::pointPosition(int id, ParetoCost chart) const
{
    const ParetoPoint* p = m_set.find(id);
    if (!p || !std::isfinite(p->accuracy.value))
        return {};
    const Chart& c = m_charts[index(chart)];
    return QPoint(static_cast<int>(std::lround(c.rect->axis(QCPAxis::atBottom)->coordToPixel(xOf(*p, chart)))),
        static_cast<int>(std::lround(c.rect->axis(QCPAxis::atLeft)->coordToPixel(100.0 * p->accuracy.value))));
}

int ParetoPlot::pointAt(const QPoint& plotPos) const
{
    int best = -1;
    double bestDistance = kPickDistance;
    for (ParetoCost cost : { ParetoCost::Size, ParetoCost::Macs }) {
        if (!m_charts[index(cost)].rect->rect().contains(plotPos))
            continue;
        for (int id : m_charts[index(cost)].ids) {
            const QPointF d = QPointF(pointPosition(id, cost)) - QPointF(plotPos);
            const double distance = std::hypot(d.x(), d.y());
            if (distance <= bestDistance) {
                bestDistance = distance;
                best = id;
            }
        }
    }
    return best;
}

QString ParetoPlot::pointText(int id) const
{
    const ParetoPoint* p = m_set.find(id);
    if (!p)
        return {};
    QString text = p->label.empty() ? tr("Plan %1").arg(id) : QString::fromStdString(p->label);
    if (p->recovered)
        text += QLatin1Char(' ') + tr("(after recovery)");
    text += QLatin1Char('\n');
    if (std::isfinite(p->accuracy.value))
        text += tr("Accuracy %1 % (95 %: %2–%3 %, %4 images)")
                    .arg(format::fixed(100.0 * p->accuracy.value, 1))
                    .arg(format::fixed(100.0 * p->accuracy.low, 1))
                    .arg(format::fixed(100.0 * p->accuracy.high, 1))
                    .arg(format::count(p->accuracy.n));
    else
        text += tr("Accuracy not measured yet");
    text += QLatin1Char('\n')
        + tr("Weights %1 (%2), %3 MACs")
              .arg(format::bytes(p->sizeBytes), format::exactBytes(p->sizeBytes), format::compact(p->macs));
    const bool bySize = m_set.isOptimal(id, ParetoCost::Size);
    const bool byMacs = m_set.isOptimal(id, ParetoCost::Macs);
    if (bySize && byMacs)
        text += QLatin1Char('\n') + tr("Pareto-optimal for size and for MACs");
    else if (bySize)
        text += QLatin1Char('\n') + tr("Pareto-optimal for size");
    else if (byMacs)
        text += QLatin1Char('\n') + tr("Pareto-optimal for MACs");
    return text;
}

void ParetoPlot::onMouseMove(QMouseEvent* event)
{
    const int id = pointAt(event->position().toPoint());
    if (id >= 0)
        QToolTip::showText(event->globalPosition().toPoint(), pointText(id), m_plot);
    else
        QToolTip::hideText();
}

void ParetoPlot::onMousePress(QMouseEvent* event)
{
    m_click.press(event);
}

void ParetoPlot::onMouseRelease(QMouseEvent* event)
{
    const auto click = m_click.release(event);
    if (!click)
        return;
    const QPoint pos = *click;
    const int id = pointAt(pos);
    if (id < 0)
        return;
    emit pointActivated(id);
}

} // namespace topiary
