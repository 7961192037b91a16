#include "widgets/CriteriaComparisonView.h"
#include "widgets/PlotText.h"
#include "widgets/PlotStyle.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace topiary {

namespace {

constexpr int kMaxPercent = 90;

const QColor kPrunedBackground(0xf6, 0xc9, 0xc4); // removed by the fraction: a light red
const QColor kHighlightBackground(0x1f, 0x5f, 0xbf); // the marked filter, in every column
const QColor kUnavailableBackground(0xee, 0xee, 0xee);
const QColor kUnavailableText(0x99, 0x99, 0x99);
const QColor kBarColour(0x4e, 0x79, 0xa7);

// Accuracy shown: top-1, or agreement with the original when the images have no labels.
Estimate shown(const EvaluationMetrics& m)
{
    return m.labelled > 0 ? m.top1() : m.agreement();
}

QString percent(double share, int decimals = 1)
{
    return QString::number(share * 100.0, 'f', decimals) + QStringLiteral(" %");
}

} // namespace

CriteriaComparisonView::CriteriaComparisonView(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_fractionLabel(new QLabel(this))
    , m_spin(new QSpinBox(this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_measure(new QPushButton(this))
    , m_stop(new QPushButton(this))
    , m_progress(new QProgressBar(this))
    , m_status(new QLabel(this))
    , m_rankingsLabel(new QLabel(this))
    , m_rankings(new QTableWidget(this))
    , m_filterInfo(new QLabel(this))
    , m_overlapsLabel(new QLabel(this))
    , m_overlaps(new QTableWidget(this))
    , m_plot(new QCustomPlot(this))
{
    plotstyle::follow(m_plot);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::PlainText);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);

    m_spin->setRange(0, kMaxPercent);
    m_spin->setSuffix(QStringLiteral(" %"));
    m_spin->setValue(50);
    m_slider->setRange(0, kMaxPercent);
    m_slider->setValue(50);
    m_slider->setMinimumWidth(100);
    connect(m_spin, &QSpinBox::valueChanged, this, &CriteriaComparisonView::onFractionControl);
    connect(m_slider, &QSlider::valueChanged, this, &CriteriaComparisonView::onFractionControl);
    connect(m_measure, &QPushButton::clicked, this, [this] { emit measureRequested(fraction()); });
    connect(m_stop, &QPushButton::clicked, this, &CriteriaComparisonView::stopRequested);
    m_stop->setEnabled(false);
    m_progress->setVisible(false);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(120);
    m_status->setWordWrap(true);

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_fractionLabel);
    controls->addWidget(m_spin);
    controls->addWidget(m_slider, 1);
    controls->addWidget(m_measure);
    controls->addWidget(m_stop);
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(m_progress);
    statusRow->addWidget(m_status, 1);

    m_rankings->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_rankings->setSelectionMode(QAbstractItemView::NoSelection);
    m_rankings->setFocusPolicy(Qt::NoFocus);
    m_rankings->setMouseTracking(true);
    m_rankings->viewport()->installEventFilter(this);
    m_rankings->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_rankings->verticalHeader()->setDefaultSectionSize(m_rankings->fontMetrics().height() + 4);
    m_rankings->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_rankings->setMinimumHeight(120);
    connect(m_rankings, &QTableWidget::cellEntered, this, [this](int row, int column) {
        const auto& criteria = m_comparison.criteria;
        int filter = -1;
        if (column >= 0 && static_cast<size_t>(column) < criteria.size() && criteria[static_cast<size_t>(column)].available
            && row >= 0 && static_cast<size_t>(row) < criteria[static_cast<size_t>(column)].order.size())
            filter = static_cast<int>(criteria[static_cast<size_t>(column)].order[static_cast<size_t>(row)]);
        if (filter != m_hovered) {
            m_hovered = filter;
            recolourRankings();
            emit filterHighlighted(highlightedFilter());
        }
    });
    connect(m_rankings, &QTableWidget::cellClicked, this, [this](int row, int column) {
        const auto& criteria = m_comparison.criteria;
        if (column < 0 || static_cast<size_t>(column) >= criteria.size())
            return;
        const auto& r = criteria[static_cast<size_t>(column)];
        if (!r.available || row < 0 || static_cast<size_t>(row) >= r.order.size())
            return;
        const int filter = static_cast<int>(r.order[static_cast<size_t>(row)]);
        // A second click on the marked filter lets it go.
        setHighlightedFilter(filter == m_pinned ? -1 : filter);
    });
    m_filterInfo->setWordWrap(true);
    m_filterInfo->setTextFormat(Qt::PlainText);

    m_overlaps->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_overlaps->setSelectionMode(QAbstractItemView::NoSelection);
    m_overlaps->setFocusPolicy(Qt::NoFocus);
    m_overlaps->setWordWrap(false);
    m_overlaps->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_overlaps->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_overlaps->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents);

    m_plot->setMinimumSize(260, 180);
    m_bars = new QCPBars(m_plot->xAxis, m_plot->yAxis);
    m_bars->setWidth(0.6);
    m_bars->setPen(plotstyle::pen(kBarColour.darker(130)));
    m_bars->setBrush(kBarColour);
    m_errors = new QCPErrorBars(m_plot->xAxis, m_plot->yAxis);
    m_errors->setDataPlottable(m_bars);
    m_errors->setWhiskerWidth(8);
    m_errors->setPen(plotstyle::pen(QColor(0x30, 0x30, 0x30), 1.2));
    m_baseline = new QCPItemStraightLine(m_plot);
    m_baseline->setPen(plotstyle::pen(QColor(0xc0, 0x39, 0x2b), 1.5, Qt::DashLine));
    m_baseline->setVisible(false);
    m_baselineLabel = new QCPItemText(m_plot);
    m_baselineLabel->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    m_baselineLabel->position->setTypeY(QCPItemPosition::ptPlotCoords);
    m_baselineLabel->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    m_baselineLabel->setColor(QColor(0xc0, 0x39, 0x2b));
    m_baselineLabel->setVisible(false);
    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.45);
    m_placeholder->setColor(kUnavailableText);
    m_plot->xAxis->setRange(0.4, static_cast<double>(kComparedCriteria.size()) + 0.6);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->yAxis->setRange(0, 100);

    auto* overlapBox = new QWidget(this);
    auto* overlapLayout = new QVBoxLayout(overlapBox);
    overlapLayout->setContentsMargins(0, 0, 0, 0);
    overlapLayout->addWidget(m_overlapsLabel);
    overlapLayout->addWidget(m_overlaps);
    auto* lower = new QSplitter(Qt::Horizontal, this);
    lower->addWidget(overlapBox);
    lower->addWidget(m_plot);
    lower->setStretchFactor(0, 2);
    lower->setStretchFactor(1, 3);

    auto* rankingBox = new QWidget(this);
    auto* rankingLayout = new QVBoxLayout(rankingBox);
    rankingLayout->setContentsMargins(0, 0, 0, 0);
    rankingLayout->addWidget(m_rankingsLabel);
    rankingLayout->addWidget(m_rankings, 1);
    rankingLayout->addWidget(m_filterInfo);
    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(rankingBox);
    splitter->addWidget(lower);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addLayout(controls);
    layout->addLayout(statusRow);
    layout->addWidget(splitter, 1);

    retranslateUi();
    rebuildRankings();
    rebuildOverlaps();
    rebuildChart();
}

QString CriteriaComparisonView::criterionText(Criterion criterion) const
{
    switch (criterion) {
    case Criterion::L1: return tr("L1");
    case Criterion::L2: return tr("L2");
    case Criterion::Fpgm: return tr("FPGM");
    case Criterion::Apoz: return tr("APoZ");
    case Criterion::Taylor: return QStringLiteral("Taylor");
    case Criterion::BnScale: return tr("BN scale");
    case Criterion::Random: return tr("Random");
    }
    return {};
}

void CriteriaComparisonView::retranslateUi()
{
    m_fractionLabel->setText(tr("Prune:"));
    m_spin->setToolTip(tr("Fraction of this layer's filters each criterion removes."));
    m_slider->setToolTip(tr("Fraction of this layer's filters each criterion removes."));
    m_fractionLabel->setToolTip(m_spin->toolTip());
    m_measure->setText(tr("Measure accuracy"));
    m_measure->setToolTip(
        tr("Evaluate the model pruned by each criterion on the open dataset, the rest of the plan unchanged."));
    m_stop->setText(tr("Stop"));
    m_stop->setToolTip(tr("Stop measuring; criteria already measured keep their bars."));
    m_progress->setToolTip(tr("Runs done: the current plan, then one per criterion."));
    m_rankingsLabel->setText(tr("Filters by rank (1 = most important); shaded: removed; click a filter to follow it"));
    m_rankings->setToolTip(
        tr("Each column ranks the layer's filters by one criterion; hover or click a filter to see it in every column."));
    m_overlapsLabel->setText(tr("Overlap of the removed filters"));
    m_overlaps->setToolTip(tr("Jaccard index of two criteria's removed filters: shared / removed by either."));
    m_plot->setToolTip(
        tr("Top-1 accuracy (agreement with the original on unlabelled images) after pruning this layer by each "
           "criterion, with 95 % intervals; dashed: the current plan."));
    plottext::setFittedLabel(m_plot->xAxis, tr("Criterion"));
    rebuildRankings();
    rebuildOverlaps();
    rebuildChart();
    updateStatus();
}

void CriteriaComparisonView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

bool CriteriaComparisonView::eventFilter(QObject* watched, QEvent* event)
{
    // Rows have no place on screen before the table is shown: a pending scroll waits.
    if (watched == m_rankings->viewport() && m_revealPending
        && (event->type() == QEvent::Show || event->type() == QEvent::Resize))
        revealFollowed();
    if (watched == m_rankings->viewport() && event->type() == QEvent::Leave && m_hovered >= 0) {
        m_hovered = -1;
        recolourRankings();
        emit filterHighlighted(highlightedFilter());
    }
    return QWidget::eventFilter(watched, event);
}

void CriteriaComparisonView::setComparison(const CriteriaComparison& comparison)
{
    const bool sameLayer = m_hasComparison && comparison.layer == m_comparison.layer;
    if (!sameLayer) {
        m_pinned = -1;
        m_hovered = -1;
    }
    if (m_hasMeasurement && !m_measuring
        && (comparison.layer != m_measurement.layer || std::abs(comparison.fraction - m_measurement.fraction) > 1e-9))
        clearMeasurement();
    m_comparison = comparison;
    m_hasComparison = true;
    m_emptyReason.clear();
    m_error.clear();
    if (m_pinned >= comparison.filters)
        m_pinned = -1;
    setFraction(comparison.fraction);
    rebuildRankings();
    rebuildOverlaps();
    rebuildChart();
    updateStatus();
    revealFollowed();
}

void CriteriaComparisonView::clearComparison(const QString& why)
{
    m_comparison = {};
    m_hasComparison = false;
    m_emptyReason = why;
    m_pinned = m_hovered = -1;
    clearMeasurement();
    rebuildRankings();
    rebuildOverlaps();
    updateStatus();
}

void CriteriaComparisonView::setMeasurement(const CriteriaMeasurement& measurement)
{
    m_measurement = measurement;
    m_hasMeasurement = true;
    m_error.clear();
    rebuildChart();
    updateStatus();
}

void CriteriaComparisonView::clearMeasurement()
{
    m_measurement = {};
    m_hasMeasurement = false;
    rebuildChart();
    updateStatus();
}

void CriteriaComparisonView::setMeasuring(bool measuring)
{
    m_measuring = measuring;
    m_measure->setEnabled(!measuring && m_hasComparison);
    m_stop->setEnabled(measuring);
    m_progress->setVisible(measuring);
    updateStatus();
}

void CriteriaComparisonView::setError(const QString& message)
{
    m_error = message;
    updateStatus();
}

double CriteriaComparisonView::fraction() const
{
    return m_spin->value() / 100.0;
}

void CriteriaComparisonView::setFraction(double fraction)
{
    const int percentValue = std::clamp(static_cast<int>(std::lround(fraction * 100.0)), 0, kMaxPercent);
    const QSignalBlocker blockSpin(m_spin);
    const QSignalBlocker blockSlider(m_slider);
    m_spin->setValue(percentValue);
    m_slider->setValue(percentValue);
}

void CriteriaComparisonView::onFractionControl(int percentValue)
{
    const QSignalBlocker blockSpin(m_spin);
    const QSignalBlocker blockSlider(m_slider);
    m_spin->setValue(percentValue);
    m_slider->setValue(percentValue);
    emit fractionChanged(percentValue / 100.0);
}

int CriteriaComparisonView::highlightedFilter() const
{
    return m_hovered >= 0 ? m_hovered : m_pinned;
}

void CriteriaComparisonView::setHighlightedFilter(int filter)
{
    m_pinned = filter >= 0 && filter < m_comparison.filters ? filter : -1;
    recolourRankings();
    revealFollowed();
    emit filterHighlighted(highlightedFilter());
}

void CriteriaComparisonView::revealFollowed()
{
    m_revealPending = false;
    if (m_pinned < 0 || !m_hasComparison)
        return;
    if (!m_rankings->isVisible()) {
        m_revealPending = true;
        return;
    }
    // Row positions and the scroll range follow the rows set just before.
    m_rankings->doItemsLayout();
    const int height = m_rankings->viewport()->height();
    QModelIndex nearest;
    int nearestDistance = std::numeric_limits<int>::max();
    for (int column = 0; column < m_rankings->columnCount(); ++column) {
        for (int row = 0; row < m_rankings->rowCount(); ++row) {
            const QTableWidgetItem* item = m_rankings->item(row, column);
            if (!item || !item->data(Qt::UserRole).isValid() || item->data(Qt::UserRole).toLongLong() != m_pinned)
                continue;
            const int top = m_rankings->rowViewportPosition(row);
            const int bottom = top + m_rankings->rowHeight(row);
            if (top >= 0 && bottom <= height)
                return; // a mark is in sight (e.g. the cell just clicked): the table stays put
            const int distance = top < 0 ? -top : bottom - height;
            if (distance < nearestDistance) {
                nearestDistance = distance;
                nearest = m_rankings->model()->index(row, column);
            }
            break;
        }
    }
    if (nearest.isValid())
        m_rankings->scrollTo(nearest, QAbstractItemView::PositionAtCenter);
}

QString CriteriaComparisonView::statusText() const
{
    return m_status->text();
}

void CriteriaComparisonView::rebuildRankings()
{
    const auto& criteria = m_comparison.criteria;
    m_rankings->clear();
    m_rankings->setColumnCount(static_cast<int>(kComparedCriteria.size()));
    const int rows = m_hasComparison ? static_cast<int>(m_comparison.filters) : 0;
    m_rankings->setRowCount(rows);
    for (size_t c = 0; c < kComparedCriteria.size(); ++c) {
        auto* header = new QTableWidgetItem(criterionText(kComparedCriteria[c]));
        if (c < criteria.size() && !criteria[c].available) {
            header->setText(tr("%1 (n/a)").arg(criterionText(kComparedCriteria[c])));
            header->setForeground(kUnavailableText);
            header->setToolTip(QString::fromStdString(criteria[c].reason));
        } else if (c < criteria.size()) {
            header->setToolTip(tr("%1 removes %n filter(s).", nullptr, static_cast<int>(criteria[c].pruned.size()))
                                   .arg(criterionText(kComparedCriteria[c])));
        }
        m_rankings->setHorizontalHeaderItem(static_cast<int>(c), header);
    }
    QStringList ranks;
    for (int r = 0; r < rows; ++r)
        ranks << QString::number(r + 1);
    m_rankings->setVerticalHeaderLabels(ranks);
    for (size_t c = 0; c < criteria.size() && c < kComparedCriteria.size(); ++c) {
        const auto& r = criteria[c];
        for (int row = 0; row < rows; ++row) {
            auto* item = new QTableWidgetItem;
            item->setTextAlignment(Qt::AlignCenter);
            if (!r.available) {
                if (row == 0)
                    item->setText(tr("n/a"));
                item->setToolTip(QString::fromStdString(r.reason));
            } else if (static_cast<size_t>(row) < r.order.size()) {
                const int64_t filter = r.order[static_cast<size_t>(row)];
                const bool removed = std::binary_search(r.pruned.begin(), r.pruned.end(), filter);
                item->setText(QString::number(filter));
                item->setData(Qt::UserRole, static_cast<qlonglong>(filter));
                item->setToolTip(removed ? tr("Filter %1: rank %2 of %3, score %4; removed.")
                                               .arg(filter)
                                               .arg(row + 1)
                                               .arg(rows)
                                               .arg(static_cast<double>(r.scores[static_cast<size_t>(filter)]), 0, 'g', 4)
                                         : tr("Filter %1: rank %2 of %3, score %4; kept.")
                                               .arg(filter)
                                               .arg(row + 1)
                                               .arg(rows)
                                               .arg(static_cast<double>(r.scores[static_cast<size_t>(filter)]), 0, 'g', 4));
            }
            m_rankings->setItem(row, static_cast<int>(c), item);
        }
    }
    recolourRankings();
    if (!m_hasComparison)
        m_title->setText(m_emptyReason.isEmpty() ? tr("Select a layer to compare its pruning criteria.") : m_emptyReason);
    else
        m_title->setText(tr("%1: %n filter(s)", nullptr, static_cast<int>(m_comparison.filters))
                             .arg(QString::fromStdString(m_comparison.layer)));
    m_measure->setEnabled(!m_measuring && m_hasComparison);
}

void CriteriaComparisonView::recolourRankings()
{
    const auto& criteria = m_comparison.criteria;
    const int marked = highlightedFilter();
    QFont normal = m_rankings->font();
    QFont struck = normal;
    struck.setStrikeOut(true);
    QFont markedFont = normal;
    markedFont.setBold(true);
    QFont markedStruck = markedFont;
    markedStruck.setStrikeOut(true);
    for (size_t c = 0; c < criteria.size() && static_cast<int>(c) < m_rankings->columnCount(); ++c) {
        const auto& r = criteria[c];
        for (int row = 0; row < m_rankings->rowCount(); ++row) {
            QTableWidgetItem* item = m_rankings->item(row, static_cast<int>(c));
            if (!item)
                continue;
            if (!r.available) {
                item->setBackground(kUnavailableBackground);
                item->setForeground(kUnavailableText);
                continue;
            }
            const int64_t filter = item->data(Qt::UserRole).toLongLong();
            const bool removed = std::binary_search(r.pruned.begin(), r.pruned.end(), filter);
            const bool isMarked = filter == marked;
            item->setBackground(isMarked ? kHighlightBackground : removed ? kPrunedBackground : QBrush());
            item->setForeground(isMarked ? QBrush(Qt::white) : QBrush());
            item->setFont(isMarked ? (removed ? markedStruck : markedFont) : (removed ? struck : normal));
        }
    }
    // Where each criterion puts the marked filter, in words.
    if (marked < 0 || !m_hasComparison) {
        m_filterInfo->setText(m_hasComparison ? tr("Hover or click a filter to see its rank by every criterion.") : QString());
        return;
    }
    QStringList parts;
    for (const auto& r : criteria) {
        if (!r.available)
            continue;
        const bool removed = std::binary_search(r.pruned.begin(), r.pruned.end(), static_cast<int64_t>(marked));
        parts << (removed ? tr("%1 rank %2 (removed)") : tr("%1 rank %2"))
                     .arg(criterionText(r.criterion))
                     .arg(r.rank[static_cast<size_t>(marked)]);
    }
    m_filterInfo->setText(tr("Filter %1: %2").arg(marked).arg(parts.join(QStringLiteral(" · "))));
}

void CriteriaComparisonView::rebuildOverlaps()
{
    const auto& criteria = m_comparison.criteria;
    const int n = static_cast<int>(kComparedCriteria.size());
    m_overlaps->clear();
    m_overlaps->setRowCount(n);
    m_overlaps->setColumnCount(n);
    QStringList labels;
    for (Criterion c : kComparedCriteria)
        labels << criterionText(c);
    m_overlaps->setHorizontalHeaderLabels(labels);
    m_overlaps->setVerticalHeaderLabels(labels);
    if (!m_hasComparison || criteria.size() != kComparedCriteria.size())
        return;
    for (int a = 0; a < n; ++a) {
        for (int b = 0; b < n; ++b) {
            auto* item = new QTableWidgetItem;
            item->setTextAlignment(Qt::AlignCenter);
            const double j = m_comparison.overlap(static_cast<size_t>(a), static_cast<size_t>(b));
            if (std::isnan(j)) {
                item->setText(QStringLiteral("–"));
                item->setBackground(kUnavailableBackground);
                item->setForeground(kUnavailableText);
                item->setToolTip(tr("Not available for this layer."));
            } else {
                item->setText(percent(j, 0));
                // Greener = the two criteria remove more of the same filters.
                item->setBackground(QColor::fromRgbF(1.0 - 0.55 * j, 1.0 - 0.2 * j, 1.0 - 0.55 * j));
                item->setToolTip(tr("%1 and %2 remove %3 of the same filters (Jaccard index).")
                                     .arg(labels[a], labels[b], percent(j, 0)));
            }
            m_overlaps->setItem(a, b, item);
        }
    }
    m_overlaps->resizeColumnsToContents();
    // The whole matrix stays readable: the splitter may not squeeze it below its contents.
    int width = m_overlaps->verticalHeader()->sizeHint().width() + 2 * m_overlaps->frameWidth();
    for (int c = 0; c < n; ++c)
        width += m_overlaps->columnWidth(c);
    m_overlaps->setMinimumWidth(width);
}

void CriteriaComparisonView::rebuildChart()
{
    // Bars of another layer or fraction than the rankings shown would mislead: not drawn.
    const bool current = m_hasMeasurement
        && (!m_hasComparison
            || (m_measurement.layer == m_comparison.layer
                && std::abs(m_measurement.fraction - m_comparison.fraction) < 1e-9));
    const bool agreement = current && m_measurement.baselineEvaluated && m_measurement.baseline.labelled == 0;
    // Wrapped to the axis: in presentation mode's larger font the title outgrew the chart.
    plottext::setFittedLabel(m_plot->yAxis, agreement ? tr("Agreement with the original (%)") : tr("Top-1 accuracy (%)"));
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    QVector<double> keys, values, errorMinus, errorPlus;
    double low = 100.0;
    double high = 0.0;
    for (size_t i = 0; i < kComparedCriteria.size(); ++i) {
        const double key = static_cast<double>(i) + 1.0;
        // Two words go on two lines: the bars are narrow.
        QString label = criterionText(kComparedCriteria[i]).replace(QLatin1Char(' '), QLatin1Char('\n'));
        if (current && i < m_measurement.criteria.size()) {
            const auto& m = m_measurement.criteria[i];
            if (!m.available)
                label += QLatin1Char('\n') + tr("n/a");
            if (m.evaluated) {
                const Estimate e = shown(m.metrics);
                keys << key;
                values << e.value * 100.0;
                errorMinus << (e.value - e.low) * 100.0;
                errorPlus << (e.high - e.value) * 100.0;
                low = std::min(low, e.low * 100.0);
                high = std::max(high, e.high * 100.0);
            }
        } else if (m_hasComparison && i < m_comparison.criteria.size() && !m_comparison.criteria[i].available) {
            label += QLatin1Char('\n') + tr("n/a");
        }
        ticker->addTick(key, label);
    }
    m_plot->xAxis->setTicker(ticker);
    m_placeholder->setText(tr("Not measured yet"));
    m_placeholder->setVisible(keys.isEmpty());
    m_bars->setData(keys, values, true);
    m_errors->setData(errorMinus, errorPlus);
    m_baseline->setVisible(false);
    m_baselineLabel->setVisible(false);
    if (current && m_measurement.baselineEvaluated) {
        const Estimate b = shown(m_measurement.baseline);
        const double y = b.value * 100.0;
        m_baseline->point1->setCoords(0, y);
        m_baseline->point2->setCoords(1, y);
        m_baseline->setVisible(true);
        m_baselineLabel->position->setCoords(0.99, y);
        m_baselineLabel->setText(tr("current plan %1").arg(percent(b.value)));
        m_baselineLabel->setVisible(true);
        low = std::min(low, y);
        high = std::max(high, y);
    }
    // Close differences matter here, so the axis zooms onto the measured range (never
    // hiding the bars' tops or the intervals), with room for the baseline's label.
    if (high >= low) {
        const double room = std::max(4.0, 0.3 * (high - low));
        m_plot->yAxis->setRange(std::max(0.0, std::floor(low - room)), std::min(100.0, std::ceil(high + room)));
    } else {
        m_plot->yAxis->setRange(0, 100);
    }
    // The baseline's label sits above its line, or below it when the line is near the top.
    if (m_baselineLabel->visible()) {
        const QCPRange range = m_plot->yAxis->range();
        const double y = m_baselineLabel->position->coords().y();
        m_baselineLabel->setPositionAlignment(
            Qt::AlignRight | (y > range.upper - 0.15 * range.size() ? Qt::AlignTop : Qt::AlignBottom));
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void CriteriaComparisonView::updateStatus()
{
    QString text;
    int done = 0;
    int total = 1;
    if (m_hasMeasurement) {
        done = m_measurement.baselineEvaluated ? 1 : 0;
        for (const auto& m : m_measurement.criteria) {
            total += m.available ? 1 : 0;
            done += m.evaluated ? 1 : 0;
        }
    }
    if (!m_error.isEmpty()) {
        text = m_error;
    } else if (m_measuring) {
        if (!m_hasMeasurement || !m_measurement.baselineEvaluated) {
            text = tr("Measuring the current plan…");
        } else {
            for (const auto& m : m_measurement.criteria)
                if (m.available && !m.evaluated) {
                    text = tr("Measuring %1…").arg(criterionText(m.criterion));
                    break;
                }
        }
    } else if (m_hasMeasurement && m_measurement.baselineEvaluated) {
        text = m_measurement.cancelled ? tr("Stopped: %1 of %2 runs done.").arg(done).arg(total)
                                       : tr("Measured on %n image(s).", nullptr,
                                             static_cast<int>(m_measurement.baseline.processed));
    } else if (m_hasComparison) {
        text = tr("Measure accuracy to see what each choice costs.");
    }
    m_progress->setRange(0, total);
    m_progress->setValue(done);
    m_status->setText(text);
    m_status->setToolTip(text);
}

} // namespace topiary
