#include "widgets/SensitivityPlot.h"
#include "widgets/PlotStyle.h"

#include "core/model/Layer.h"
#include "widgets/NumberFormat.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QMouseEvent>
#include <QVBoxLayout>

#include <algorithm>
#include <array>
#include <cmath>

namespace topiary {

namespace {

// Ten colours that stay apart for most colour-vision deficiencies (Tableau 10); with more
// layers they repeat, and hovering tells curves apart.
const std::array<QColor, 10> kPalette { QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59),
    QColor(0x76, 0xb7, 0xb2), QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48), QColor(0xb0, 0x7a, 0xa1),
    QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f), QColor(0xba, 0xb0, 0xac) };

constexpr int kMaxLegendCurves = 12; // beyond this a legend hides the plot; hovering names curves
constexpr double kPickDistance = 8.0; // px from a curve that still picks it

QColor withAlpha(QColor c, int alpha)
{
    c.setAlpha(alpha);
    return c;
}

// The accuracy shown for a point, as a percentage with its interval.
Estimate shownAccuracy(const EvaluationMetrics& metrics, bool agreement)
{
    return agreement ? metrics.agreement() : metrics.top1();
}

} // namespace

SensitivityPlot::SensitivityPlot(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    plotstyle::follow(m_plot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setMouseTracking(true);
    m_plot->setMinimumSize(240, 160);
    m_plot->addLayer(QStringLiteral("highlight"), m_plot->layer(QStringLiteral("main")), QCustomPlot::limAbove);

    m_plot->yAxis2->setVisible(true);
    // Accuracy and kept energy are both shares of a whole: one fixed 0..100 % scale for both,
    // so curves do not jump as points arrive and the two axes line up.
    m_plot->yAxis->setRange(-2, 102);
    m_plot->yAxis2->setRange(-2, 102);
    connect(m_plot->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), m_plot->yAxis2,
        qOverload<const QCPRange&>(&QCPAxis::setRange));
    m_plot->legend->setVisible(false);
    QFont legendFont = font();
    legendFont.setPointSizeF(legendFont.pointSizeF() * 0.85);
    m_plot->legend->setFont(legendFont);
    m_plot->legend->setBrush(QColor(255, 255, 255, 210));
    m_plot->legend->setRowSpacing(-3);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignLeft);

    m_hoverLabel = new QCPItemText(m_plot);
    m_hoverLabel->setLayer(QStringLiteral("highlight"));
    m_hoverLabel->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_hoverLabel->position->setCoords(0.98, 0.03);
    m_hoverLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    m_hoverLabel->setPadding(QMargins(4, 2, 4, 2));
    m_hoverLabel->setBrush(QColor(255, 255, 255, 230));
    m_hoverLabel->setSelectable(false);
    m_hoverLabel->setVisible(false);

    m_baseline = new QCPItemStraightLine(m_plot);
    m_baseline->setPen(plotstyle::pen(QColor(0x50, 0x50, 0x50), 1, Qt::DotLine));
    m_baseline->setSelectable(false);
    m_baselineLabel = new QCPItemText(m_plot);
    m_baselineLabel->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    m_baselineLabel->position->setTypeY(QCPItemPosition::ptPlotCoords);
    // At the right end, where the curves have mostly fallen below it, not over the first points.
    m_baselineLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    m_baselineLabel->setColor(QColor(0x50, 0x50, 0x50));
    m_baselineLabel->setSelectable(false);

    connect(m_plot, &QCustomPlot::mouseMove, this, &SensitivityPlot::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &SensitivityPlot::onMousePress);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &SensitivityPlot::onMouseRelease);
    retranslateUi();
}

void SensitivityPlot::retranslateUi()
{
    m_plot->xAxis->setLabel(m_kind == SweepKind::Prune ? tr("Pruned fraction of the layer (%)") : tr("Bits per weight"));
    m_plot->yAxis->setLabel(m_usesAgreement ? tr("Agreement with the original (%), measured: solid")
                                            : tr("Top-1 accuracy (%), measured: solid"));
    m_plot->yAxis2->setLabel(tr("Weight energy kept (%), estimate: dashed"));
    setToolTip(tr("Accuracy of the model with only one layer compressed; click a curve to select its layer."));
}

void SensitivityPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        m_plot->replot();
    }
    QWidget::changeEvent(event);
}

void SensitivityPlot::clear()
{
    m_result = SensitivityResult {};
    m_layerNames.clear();
    refresh();
}

void SensitivityPlot::setSweepKind(SweepKind kind)
{
    if (kind == m_kind)
        return;
    m_kind = kind;
    refresh();
}

void SensitivityPlot::setResult(const SensitivityResult& result, const std::vector<Layer>& layers)
{
    m_result = result;
    m_layerNames.clear();
    for (const auto& l : layers)
        m_layerNames.push_back(l.name);
    refresh();
}

void SensitivityPlot::refresh()
{
    std::vector<std::string> names;
    for (const auto& p : m_result.points)
        if (p.kind == m_kind && std::find(names.begin(), names.end(), p.layer) == names.end())
            names.push_back(p.layer);

    bool same = names.size() == m_curves.size();
    for (size_t i = 0; same && i < names.size(); ++i)
        same = names[i] == m_curves[i].name;
    if (!same)
        rebuildCurves(names);

    // Agreement stands in for accuracy only once measurements show the data has no labels.
    const bool measured = m_result.baseline.processed > 0
        || std::any_of(m_result.points.begin(), m_result.points.end(),
            [](const SensitivityPoint& p) { return p.evaluated; });
    m_usesAgreement = measured && m_result.baseline.labelled == 0
        && std::none_of(m_result.points.begin(), m_result.points.end(),
            [](const SensitivityPoint& p) { return p.evaluated && p.metrics.labelled > 0; });
    retranslateUi();
    updateData();
    applyStyles();
    m_plot->replot();
}

void SensitivityPlot::rebuildCurves(const std::vector<std::string>& names)
{
    m_plot->clearPlottables();
    m_plot->legend->clearItems();
    m_curves.clear();
    m_hovered = -1;
    m_hoverLabel->setVisible(false);
    for (size_t i = 0; i < names.size(); ++i) {
        Curve c;
        c.name = names[i];
        const auto it = std::find(m_layerNames.begin(), m_layerNames.end(), names[i]);
        c.layer = it == m_layerNames.end() ? -1 : static_cast<int>(it - m_layerNames.begin());
        c.color = kPalette[i % kPalette.size()];
        c.estimate = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
        c.estimate->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssNone));
        c.estimate->removeFromLegend();
        c.measured = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
        c.measured->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, plotstyle::markerSize(5)));
        // A filter sweep's curve prunes a whole dependency group: the legend lists its members.
        QString legend = QString::fromStdString(c.name);
        for (const auto& p : m_result.points)
            if (p.layer == c.name && p.members.size() > 1) {
                QStringList members;
                for (const auto& m : p.members)
                    members << QString::fromStdString(m);
                legend = members.join(QStringLiteral(" + "));
                break;
            }
        c.measured->setName(QFontMetrics(m_plot->legend->font()).elidedText(legend, Qt::ElideMiddle, 220));
        c.errors = new QCPErrorBars(m_plot->xAxis, m_plot->yAxis);
        c.errors->setDataPlottable(c.measured);
        c.errors->removeFromLegend();
        c.errors->setWhiskerWidth(5);
        for (QCPAbstractPlottable* p : { static_cast<QCPAbstractPlottable*>(c.estimate),
                 static_cast<QCPAbstractPlottable*>(c.measured), static_cast<QCPAbstractPlottable*>(c.errors) })
            p->setSelectable(QCP::stNone);
        m_curves.push_back(c);
    }
    m_plot->legend->setVisible(!m_curves.empty() && static_cast<int>(m_curves.size()) <= kMaxLegendCurves);
}

void SensitivityPlot::updateData()
{
    double minX = 0.0, maxX = 1.0;
    bool any = false;
    const double scale = m_kind == SweepKind::Prune ? 100.0 : 1.0;
    for (auto& c : m_curves) {
        QVector<double> keys, values, minus, plus, estimateKeys, estimateValues;
        // By x: the sweep's order is the user's, and error bars follow the graph's data order.
        std::vector<const SensitivityPoint*> points;
        for (const auto& p : m_result.points)
            if (p.kind == m_kind && p.layer == c.name)
                points.push_back(&p);
        std::stable_sort(points.begin(), points.end(),
            [](const SensitivityPoint* a, const SensitivityPoint* b) { return a->value < b->value; });
        const auto total = static_cast<qsizetype>(points.size());
        for (const SensitivityPoint* point : points) {
            const SensitivityPoint& p = *point;
            const double x = p.value * scale;
            minX = any ? std::min(minX, x) : x;
            maxX = any ? std::max(maxX, x) : x;
            any = true;
            estimateKeys.push_back(x);
            estimateValues.push_back(100.0 * (1.0 - p.energyRemoved));
            if (!p.evaluated)
                continue;
            const Estimate e = shownAccuracy(p.metrics, m_usesAgreement);
            if (!std::isfinite(e.value))
                continue;
            keys.push_back(x);
            values.push_back(100.0 * e.value);
            minus.push_back(100.0 * (e.value - e.low));
            plus.push_back(100.0 * (e.high - e.value));
        }
        c.measured->setData(keys, values, true);
        c.errors->setData(minus, plus);
        c.estimate->setData(estimateKeys, estimateValues, true);
        // The estimate stands in only while measurements are missing.
        c.estimate->setVisible(keys.size() < total);
    }
    const Estimate baseline = shownAccuracy(m_result.baseline, m_usesAgreement);
    const bool hasBaseline = m_result.baseline.processed > 0 && std::isfinite(baseline.value);
    m_baseline->setVisible(hasBaseline);
    m_baselineLabel->setVisible(hasBaseline);
    if (hasBaseline) {
        m_baseline->point1->setCoords(0.0, 100.0 * baseline.value);
        m_baseline->point2->setCoords(1.0, 100.0 * baseline.value);
        m_baselineLabel->position->setCoords(0.99, 100.0 * baseline.value);
        m_baselineLabel->setText(
            tr("original: %1 %").arg(format::fixed(100.0 * baseline.value, 1)));
    }
    if (any) {
        const double margin = std::max((maxX - minX) * 0.03, m_kind == SweepKind::Prune ? 1.0 : 0.25);
        m_plot->xAxis->setRange(minX - margin, maxX + margin);
    }
    if (m_kind == SweepKind::Bits) {
        auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
        ticker->setTickStep(1.0);
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        m_plot->xAxis->setTicker(ticker);
    } else if (!qSharedPointerDynamicCast<QCPAxisTickerFixed>(m_plot->xAxis->ticker()).isNull()) {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    }
}

void SensitivityPlot::applyStyles()
{
    int emphasised = m_hovered;
    if (emphasised < 0)
        for (size_t i = 0; i < m_curves.size(); ++i)
            if (m_curves[i].layer >= 0 && m_curves[i].layer == m_selected)
                emphasised = static_cast<int>(i);
    for (size_t i = 0; i < m_curves.size(); ++i) {
        Curve& c = m_curves[i];
        const bool strong = static_cast<int>(i) == emphasised;
        const bool faded = emphasised >= 0 && !strong;
        const QColor color = faded ? withAlpha(c.color, 70) : c.color;
        const double width = strong ? 3.0 : 1.5;
        c.measured->setPen(plotstyle::pen(color, width));
        c.measured->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, plotstyle::markerSize(strong ? 7 : 5)));
        c.errors->setPen(plotstyle::pen(withAlpha(c.color, faded ? 50 : 160), strong ? 1.5 : 1.0));
        const QPen dashed = plotstyle::pen(color, width, Qt::DashLine);
        c.estimate->setPen(dashed);
        const QString layer = strong ? QStringLiteral("highlight") : QStringLiteral("main");
        c.measured->setLayer(layer);
        c.errors->setLayer(layer);
        c.estimate->setLayer(layer);
    }
    if (emphasised >= 0) {
        const Curve& c = m_curves[static_cast<size_t>(emphasised)];
        m_hoverLabel->setText(QString::fromStdString(c.name));
        m_hoverLabel->setColor(c.color.darker(130));
        m_hoverLabel->setPen(plotstyle::pen(c.color));
        m_hoverLabel->setVisible(true);
    } else {
        m_hoverLabel->setVisible(false);
    }
}

void SensitivityPlot::setSelectedLayer(int layer)
{
    m_selected = layer;
    applyStyles();
    m_plot->replot();
}

int SensitivityPlot::curveLayer(int curve) const
{
    return curve >= 0 && curve < curveCount() ? m_curves[static_cast<size_t>(curve)].layer : -1;
}

QString SensitivityPlot::curveName(int curve) const
{
    return curve >= 0 && curve < curveCount() ? QString::fromStdString(m_curves[static_cast<size_t>(curve)].name)
                                              : QString();
}

QCPGraph* SensitivityPlot::measuredGraph(int curve) const
{
    return curve >= 0 && curve < curveCount() ? m_curves[static_cast<size_t>(curve)].measured : nullptr;
}

QCPGraph* SensitivityPlot::estimateGraph(int curve) const
{
    return curve >= 0 && curve < curveCount() ? m_curves[static_cast<size_t>(curve)].estimate : nullptr;
}

int SensitivityPlot::curveAt(const QPoint& plotPos) const
{
    int best = -1;
    double bestDistance = kPickDistance;
    for (size_t i = 0; i < m_curves.size(); ++i) {
        for (const QCPGraph* g : { m_curves[i].measured, m_curves[i].estimate }) {
            if (!g->visible() || g->dataCount() == 0)
                continue;
            const double d = g->selectTest(plotPos, false);
            if (d >= 0 && d <= bestDistance) {
                bestDistance = d;
                best = static_cast<int>(i);
            }
        }
    }
    return best;
}

void SensitivityPlot::onMouseMove(QMouseEvent* event)
{
    const int curve = curveAt(event->position().toPoint());
    if (curve == m_hovered)
        return;
    m_hovered = curve;
    applyStyles();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void SensitivityPlot::onMousePress(QMouseEvent* event)
{
    m_click.press(event);
}

void SensitivityPlot::onMouseRelease(QMouseEvent* event)
{
    const auto click = m_click.release(event);
    if (!click)
        return;
    const QPoint pos = *click;
    const int curve = curveAt(pos);
    if (curve < 0 || m_curves[static_cast<size_t>(curve)].layer < 0)
        return;
    const int layer = m_curves[static_cast<size_t>(curve)].layer;
    setSelectedLayer(layer);
    emit layerSelected(layer);
}

} // namespace topiary
