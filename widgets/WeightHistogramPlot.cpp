#include "widgets/WeightHistogramPlot.h"
#include "widgets/PlotStyle.h"

#include "widgets/PlotExport.h"

#include "core/compress/Importance.h"

#include <QEvent>
#include <QFontMetrics>
#include <QMenu>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>

namespace topiary {

namespace {

constexpr double kGrabPixels = 6.0;  // how near a line a press starts a drag

const QColor kKeptColour(59, 120, 176);
const QColor kPrunedColour(190, 190, 190);
const QColor kLevelColour(214, 110, 0, 150);
const QColor kCutColour(200, 30, 30);
const QColor kClipColour(0, 140, 120);
const QColor kMinMaxColour(90, 90, 90);

// Counts are whole numbers: no 2.5 ticks on a layer with few weights.
QSharedPointer<QCPAxisTicker> countTicker()
{
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    return ticker;
}

} // namespace

WeightHistogramPlot::WeightHistogramPlot(QWidget* parent)
    : PlotWidget(parent)
    , m_plot(createPlot(true)) // the mouse drags the cut, not the axes
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setMinimumSize(240, 160);

    m_plot->setObjectName(QStringLiteral("histogramPlot"));
    m_plot->setNoAntialiasingOnDrag(true);

    const QFont small = plotstyle::setUpHistogramAxes(m_plot, font()); // lines span the height
    m_plot->yAxis->setTicker(countTicker());

    m_pruned = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_kept = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    for (QCPBars* bars : {m_pruned, m_kept}) {
        bars->setWidthType(QCPBars::wtPlotCoords);
        bars->setPen(Qt::NoPen);
        bars->setAntialiased(false);
    }
    m_kept->setBrush(kKeptColour);
    m_pruned->setBrush(kPrunedColour);

    m_levels = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_levels->setLineStyle(QCPGraph::lsImpulse);
    m_levels->setPen(plotstyle::pen(kLevelColour, 1.0));
    m_levels->setAntialiased(false);

    for (auto*& line : m_lines) {
        line = new QCPItemStraightLine(m_plot);
        line->point1->setAxes(m_plot->xAxis, m_plot->yAxis2);
        line->point2->setAxes(m_plot->xAxis, m_plot->yAxis2);
        line->setSelectable(false);
    }
    auto label = [&](const QColor& colour, double height) {
        auto* text = new QCPItemText(m_plot);
        text->setClipToAxisRect(true);
        text->position->setAxes(m_plot->xAxis, m_plot->yAxis2);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        text->setColor(colour);
        text->setBrush(QColor(255, 255, 255, 210));
        text->setPadding(QMargins(3, 1, 3, 1));
        text->position->setCoords(0.0, height);
        return text;
    };
    for (int i = 0; i < 2; ++i) {
        for (auto** line : {&m_clipLines[i], &m_minMaxLines[i]}) {
            *line = new QCPItemStraightLine(m_plot);
            (*line)->point1->setAxes(m_plot->xAxis, m_plot->yAxis2);
            (*line)->point2->setAxes(m_plot->xAxis, m_plot->yAxis2);
            (*line)->setSelectable(false);
        }
        m_clipLines[i]->setPen(plotstyle::pen(kClipColour, 1.6));
        m_minMaxLines[i]->setPen(plotstyle::pen(kMinMaxColour, 1.2, Qt::DotLine));
    }
    // Beside the low ends (the caption sits at the top right), one above the other.
    m_minMaxLabel = label(kMinMaxColour, 0.9);
    m_clipLabel = label(kClipColour, 0.75);

    m_caption = new QCPItemText(m_plot);
    m_caption->setClipToAxisRect(true);
    m_caption->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_caption->position->setCoords(0.99, 0.02);
    m_caption->setPositionAlignment(Qt::AlignRight | Qt::AlignTop);
    m_caption->setTextAlignment(Qt::AlignRight);
    m_caption->setFont(small);
    m_caption->setBrush(QColor(255, 255, 255, 210));
    m_caption->setPadding(QMargins(3, 1, 3, 1));

    // The caption wraps to the plot's width: a narrow inspector would clip its start; and
    // the level lines thin out as the plot narrows.
    connect(m_plot, &QCustomPlot::afterLayout, this, [this] { updateLevelLines(); });
    connect(m_plot, &QCustomPlot::afterLayout, this, [this] {
        if (m_plot->axisRect()->width() != m_captionWidth)
            updateCaption();
    });
    connect(m_plot, &QCustomPlot::mousePress, this, &WeightHistogramPlot::onPress);
    connect(m_plot, &QCustomPlot::mouseMove, this, &WeightHistogramPlot::onMove);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &WeightHistogramPlot::onRelease);

    retranslateUi();
    clear();
}

void WeightHistogramPlot::retranslateUi()
{
    m_plot->xAxis->setLabel(tr("weight value"));
    m_plot->yAxis->setLabel(tr("weights per bin"));
    m_plot->setToolTip(tr("Histogram of the layer's weights; drag a red line to prune every weight whose magnitude "
                          "lies below it."));
    m_clipLabel->setText(tr("MSE range"));
    m_minMaxLabel->setText(tr("min/max"));
    updateCaption();
}

void WeightHistogramPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void WeightHistogramPlot::clear()
{
    m_centres.clear();
    m_counts.clear();
    m_levelValues.clear();
    m_maxCount = 1.0;
    m_xLimit = 1.0;
    m_hasThreshold = false;
    m_threshold = 0.0;
    m_prunedFraction = 0.0;
    m_empty = true;
    m_levels->data()->clear();
    m_clip.reset();
    m_minMax.reset();
    updateValueRange();
    m_plot->xAxis->setRange(-m_xLimit, m_xLimit);
    applyThreshold(0.0, false);
    updateRangeLines();
}

void WeightHistogramPlot::setQuantRanges(std::optional<Range> chosen, std::optional<Range> minMax)
{
    m_clip = chosen;
    m_minMax = chosen ? minMax : std::nullopt; // min/max alone is the histogram's own extent
    updateRangeLines();
    updateCaption();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void WeightHistogramPlot::updateRangeLines()
{
    auto place = [this](QCPItemStraightLine* const (&lines)[2], QCPItemText* label, const std::optional<Range>& range) {
        const bool shown = range.has_value() && !m_empty;
        const double xs[2] = { range ? range->first : 0.0, range ? range->second : 0.0 };
        for (int i = 0; i < 2; ++i) {
            lines[i]->point1->setCoords(xs[i], 0.0);
            lines[i]->point2->setCoords(xs[i], 1.0);
            lines[i]->setVisible(shown);
        }
        label->position->setCoords(xs[0], label->position->coords().y());
        label->setVisible(shown);
    };
    place(m_clipLines, m_clipLabel, m_clip);
    place(m_minMaxLines, m_minMaxLabel, m_minMax);
}

std::optional<WeightHistogramPlot::Range> WeightHistogramPlot::drawnClipRange() const
{
    if (!m_clipLines[0]->visible())
        return std::nullopt;
    return Range { m_clipLines[0]->point1->coords().x(), m_clipLines[1]->point1->coords().x() };
}

std::optional<WeightHistogramPlot::Range> WeightHistogramPlot::drawnMinMaxRange() const
{
    if (!m_minMaxLines[0]->visible())
        return std::nullopt;
    return Range { m_minMaxLines[0]->point1->coords().x(), m_minMaxLines[1]->point1->coords().x() };
}

QString WeightHistogramPlot::clipLabelText() const
{
    return m_clipLabel->visible() ? m_clipLabel->text() : QString();
}

QString WeightHistogramPlot::captionText() const
{
    return m_caption->text();
}

void WeightHistogramPlot::setData(const Histogram& histogram, std::optional<double> threshold, double prunedFraction,
                                  std::span<const double> levels)
{
    const int bins = histogram.bins();
    m_empty = bins == 0;
    m_centres.resize(static_cast<size_t>(bins));
    m_counts.resize(static_cast<size_t>(bins));
    m_maxCount = 1.0;
    for (int i = 0; i < bins; ++i) {
        const auto b = static_cast<size_t>(i);
        m_centres[b] = (histogram.edges[b] + histogram.edges[b + 1]) / 2.0;
        m_counts[b] = static_cast<double>(histogram.counts[b]);
        m_maxCount = std::max(m_maxCount, m_counts[b]);
    }
    m_binWidth = bins > 0 ? (histogram.edges.back() - histogram.edges.front()) / bins : 1.0;
    m_kept->setWidth(m_binWidth);
    m_pruned->setWidth(m_binWidth);
    // Symmetric around zero, so both lines of the cut are always in view.
    const double extent = bins > 0 ? std::max(std::fabs(histogram.edges.front()), std::fabs(histogram.edges.back())) : 0.0;
    m_xLimit = extent > 0.0 ? extent * 1.04 : 1.0;
    m_plot->xAxis->setRange(-m_xLimit, m_xLimit);
    updateValueRange();

    if (!std::equal(levels.begin(), levels.end(), m_levelValues.begin(), m_levelValues.end())) {
        m_levelValues.assign(levels.begin(), levels.end());
        m_levelStep = 0; // redrawn by updateLevelLines()
        updateLevelLines();
    }

    m_prunedFraction = prunedFraction;
    if (m_dragging)
        updateBars();  // the mouse owns the cut until it is released
    else
        applyThreshold(threshold.value_or(0.0), threshold.has_value());
    updateRangeLines();
    updateCaption();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void WeightHistogramPlot::updateValueRange()
{
    if (m_logCounts)
        m_plot->yAxis->setRange(0.7, std::max(10.0, m_maxCount * 2.0));
    else
        m_plot->yAxis->setRange(0.0, m_maxCount * 1.08);
}

void WeightHistogramPlot::setLogarithmicCounts(bool on)
{
    if (on == m_logCounts)
        return;
    m_logCounts = on;
    m_plot->yAxis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        m_plot->yAxis->setTicker(countTicker());
    // Bars grow from 1 on a log axis (0 is at minus infinity there).
    m_kept->setBaseValue(on ? 0.7 : 0.0);
    m_pruned->setBaseValue(on ? 0.7 : 0.0);
    updateValueRange();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void WeightHistogramPlot::applyThreshold(double magnitude, bool active)
{
    m_threshold = std::max(0.0, magnitude);
    m_hasThreshold = active;
    const double xs[2] = {-m_threshold, m_threshold};
    const QPen pen = plotstyle::pen(active ? kCutColour : QColor(150, 150, 150), active ? 1.6 : 1.2, active ? Qt::SolidLine : Qt::DashLine);
    for (int i = 0; i < 2; ++i) {
        m_lines[i]->point1->setCoords(xs[i], 0.0);
        m_lines[i]->point2->setCoords(xs[i], 1.0);
        m_lines[i]->setPen(pen);
        m_lines[i]->setVisible(!m_empty);
    }
    updateBars();
    updateCaption();
}

void WeightHistogramPlot::updateBars()
{
    QVector<QCPBarsData> kept;
    QVector<QCPBarsData> pruned;
    for (size_t i = 0; i < m_centres.size(); ++i) {
        if (m_counts[i] <= 0.0)
            continue;  // nothing to draw (and no bar to a log axis' zero)
        const bool inside = m_hasThreshold && std::fabs(m_centres[i]) < m_threshold;
        (inside ? pruned : kept).append(QCPBarsData(m_centres[i], m_counts[i]));
    }
    m_kept->data()->set(kept, true);
    m_pruned->data()->set(pruned, true);
}

// At 8 bits a grid has up to 255 levels: drawn all, their lines cover the histogram. Only
// every k-th level is drawn, k chosen so that drawn lines stay kMinLevelGapPixels apart at
// the plot's current width, counted from the level nearest zero so that zero is drawn.
void WeightHistogramPlot::updateLevelLines()
{
    constexpr double kMinLevelGapPixels = 4.0;
    int step = 1;
    const double pixels = m_plot->axisRect()->width();
    const double span = m_plot->xAxis->range().size();
    if (m_levelValues.size() > 1 && pixels > 0 && span > 0) {
        std::vector<double> gaps;
        for (size_t i = 1; i < m_levelValues.size(); ++i)
            gaps.push_back(m_levelValues[i] - m_levelValues[i - 1]);
        std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
        const double gapPixels = gaps[gaps.size() / 2] / span * pixels;
        if (gapPixels > 0)
            step = std::max(1, static_cast<int>(std::ceil(kMinLevelGapPixels / gapPixels)));
    }
    if (step == m_levelStep)
        return;
    m_levelStep = step;
    size_t anchor = 0;
    for (size_t i = 0; i < m_levelValues.size(); ++i)
        if (std::fabs(m_levelValues[i]) < std::fabs(m_levelValues[anchor]))
            anchor = i;
    QVector<QCPGraphData> points;
    for (size_t i = 0; i < m_levelValues.size(); ++i)
        if ((i > anchor ? i - anchor : anchor - i) % static_cast<size_t>(step) == 0)
            points.append(QCPGraphData(m_levelValues[i], 1.0));
    m_levels->data()->set(points, true);
    updateCaption();
}

void WeightHistogramPlot::updateCaption()
{
    if (!m_caption)
        return;
    QStringList lines;
    if (m_empty)
        lines << tr("No weights to show");
    if (m_clip && !m_empty)
        lines << tr("MSE clipping range [%1, %2]").arg(m_clip->first, 0, 'g', 4).arg(m_clip->second, 0, 'g', 4);
    else if (m_dragging)
        lines << tr("cut at |w| = %1").arg(m_threshold, 0, 'g', 4);
    else if (m_hasThreshold)
        lines << tr("cut at |w| = %1 · %2 % of weights pruned")
                     .arg(m_threshold, 0, 'g', 4)
                     .arg(m_prunedFraction * 100.0, 0, 'f', 1);
    else
        lines << tr("drag the dashed line to prune by magnitude");
    if (!m_levelValues.empty() && m_levelStep > 1)
        lines << tr("1 in %1 of %n quantization levels shown", nullptr, static_cast<int>(m_levelValues.size()))
                     .arg(m_levelStep);
    else if (!m_levelValues.empty())
        lines << tr("%n quantization level(s) shown", nullptr, static_cast<int>(m_levelValues.size()));
    m_captionWidth = m_plot->axisRect()->width();
    const int room = m_captionWidth - 12; // the padding and a margin
    const QFontMetrics metrics(m_caption->font());
    QStringList wrapped;
    for (const QString& line : lines) {
        QString current;
        for (const QString& word : line.split(QLatin1Char(' '))) {
            const QString longer = current.isEmpty() ? word : current + QLatin1Char(' ') + word;
            if (!current.isEmpty() && room > 0 && metrics.horizontalAdvance(longer) > room) {
                wrapped << current;
                current = word;
            } else {
                current = longer;
            }
        }
        wrapped << current;
    }
    m_caption->setText(wrapped.join(QLatin1Char('\n')));
}

int WeightHistogramPlot::greyBinCount() const
{
    return m_pruned->data()->size();
}

int WeightHistogramPlot::drawnLevelCount() const
{
    return m_levels->data()->size();
}

bool WeightHistogramPlot::nearLine(const QPointF& pos) const
{
    if (m_empty || !m_plot->axisRect()->rect().contains(pos.toPoint()))
        return false;
    for (double x : {-m_threshold, m_threshold})
        if (std::fabs(m_plot->xAxis->coordToPixel(x) - pos.x()) <= kGrabPixels)
            return true;
    return false;
}

double WeightHistogramPlot::magnitudeAt(const QPointF& pos) const
{
    return std::clamp(std::fabs(m_plot->xAxis->pixelToCoord(pos.x())), 0.0, m_xLimit);
}

void WeightHistogramPlot::onPress(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton || !nearLine(event->position()))
        return;
    m_dragging = true;
    m_plot->setCursor(Qt::SplitHCursor);
    event->accept();
}

void WeightHistogramPlot::onMove(QMouseEvent* event)
{
    if (!m_dragging) {
        m_plot->setCursor(nearLine(event->position()) ? Qt::SplitHCursor : Qt::ArrowCursor);
        return;
    }
    const double magnitude = magnitudeAt(event->position());
    applyThreshold(magnitude, true);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    emit thresholdDragged(magnitude);
}

void WeightHistogramPlot::onRelease(QMouseEvent* event)
{
    if (!m_dragging || event->button() != Qt::LeftButton)
        return;
    const double magnitude = magnitudeAt(event->position());
    m_dragging = false;
    applyThreshold(magnitude, true);
    m_plot->setCursor(Qt::ArrowCursor);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    emit thresholdDragFinished(magnitude);
}

QString WeightHistogramPlot::saveName(QCustomPlot*) const
{
    return tr("weight-histogram.png");
}

QString WeightHistogramPlot::saveTip(QCustomPlot*) const
{
    return tr("Save the histogram as a PNG, SVG or PDF file.");
}

void WeightHistogramPlot::addActionsAfterSave(QMenu& menu, QCustomPlot*, const QPoint&)
{
    QAction* log = menu.addAction(tr("Logarithmic counts"));
    log->setCheckable(true);
    log->setChecked(m_logCounts);
    log->setToolTip(tr("Show bin counts on a logarithmic axis, so sparse tails stay visible."));
    connect(log, &QAction::triggered, this, &WeightHistogramPlot::setLogarithmicCounts);
}

bool WeightHistogramPlot::saveImage(const QString& path)
{
    if (layout())
        layout()->activate();  // a hidden widget's plot gets its size from our layout
    return savePlotImage(m_plot, path);
}

} // namespace topiary
