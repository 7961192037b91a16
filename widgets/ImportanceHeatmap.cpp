#include "widgets/ImportanceHeatmap.h"
#include "widgets/PlotStyle.h"

#include "widgets/ColorScale.h"
#include "widgets/PlotExport.h"
#include "widgets/PlotTicks.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QVBoxLayout>
#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace topiary {

namespace {

// The selector's order: the weight criteria, then the data-driven and BN ones.
constexpr Criterion kSelectorOrder[] = {Criterion::L1, Criterion::L2, Criterion::Fpgm, Criterion::Apoz,
                                        Criterion::Taylor, Criterion::BnScale};

const QColor kBarColour(59, 120, 176);
const QColor kPrunedBarColour(185, 185, 185);
const QColor kStrikeColour(230, 40, 30);

QSharedPointer<QCPAxisTickerFixed> integerTicker()
{
    auto ticker = QSharedPointer<QCPAxisTickerFixed>::create();
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    return ticker;
}

// Cell centres at integers 0..n-1. QCPColorMap stretches a one-cell axis over its range,
// so a single cell gets [-0.5, 0.5] explicitly.
QCPRange cellRange(int64_t n)
{
    return n > 1 ? QCPRange(0.0, static_cast<double>(n - 1)) : QCPRange(-0.5, 0.5);
}

QCPRange axisRange(int64_t n)
{
    return QCPRange(-0.5, static_cast<double>(std::max<int64_t>(n, 1)) - 0.5);
}

void styleAxis(QCPAxis* axis, const QFont& font)
{
    axis->setTickLabelFont(font);
    axis->setLabelFont(font);
}

} // namespace

ImportanceHeatmap::ImportanceHeatmap(QWidget* parent)
    : PlotWidget(parent)
    , m_selector(new QComboBox(this))
    , m_tabs(new QTabWidget(this))
    , m_kernelPlot(createPlot(true))
    , m_gridPlot(createPlot(true))
{
    m_selector->setObjectName(QStringLiteral("criterionSelector"));
    for (Criterion c : kSelectorOrder)
        m_selector->addItem(QString(), static_cast<int>(c));
    connect(m_selector, &QComboBox::activated, this, &ImportanceHeatmap::onSelectorActivated);

    m_tabs->setObjectName(QStringLiteral("heatmapViews"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_kernelPlot, QString());
    m_tabs->addTab(m_gridPlot, QString());

    auto* top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    m_selectorLabel = new QLabel(this);
    m_selectorLabel->setBuddy(m_selector);
    m_note = new QLabel(this);
    m_note->setWordWrap(true);
    m_note->setObjectName(QStringLiteral("criterionNote"));
    top->addWidget(m_selectorLabel);
    top->addWidget(m_selector);
    top->addWidget(m_note, 1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_tabs, 1);
    setMinimumSize(280, 220);

    buildKernelPlot();
    buildGridPlot();
    retranslateUi();
    clear();
}

void ImportanceHeatmap::buildKernelPlot()
{
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    QCustomPlot* plot = m_kernelPlot;
    plot->setObjectName(QStringLiteral("kernelPlot"));

    QCPAxisRect* main = plot->axisRect();
    plot->yAxis->setRangeReversed(true);  // filter 0 at the top, like a table
    for (QCPAxis* axis : {plot->xAxis, plot->yAxis}) {
        styleAxis(axis, small);
        plotticks::fitIntegerTicks(axis);
        axis->grid()->setVisible(false);
    }

    m_map = new QCPColorMap(plot->xAxis, plot->yAxis);
    m_map->setInterpolate(false);

    m_strikes = new QCPCurve(plot->xAxis, plot->yAxis);
    m_strikes->setPen(plotstyle::pen(kStrikeColour, 1.5));
    // Rows thinner than a few pixels (hundreds of filters) would be painted over solid
    // red; there the strikes turn translucent so the kernels stay readable beneath.
    connect(plot, &QCustomPlot::beforeReplot, this, [this] {
        const double rowPixels = m_rows > 0 ? m_kernelPlot->axisRect()->height() / static_cast<double>(m_rows) : 10.0;
        QColor colour = kStrikeColour;
        if (rowPixels < 4.0)
            colour.setAlpha(120);
        m_strikes->setPen(plotstyle::pen(colour, std::clamp(rowPixels * 0.4, 1.0, 1.5)));
    });
    m_strikes->setScatterStyle(QCPScatterStyle::ssNone);
    m_strikes->setAntialiased(false);

    // The side bar: its own axis rect, rows sharing the heatmap's filter axis.
    m_sideRect = new QCPAxisRect(plot, true);
    plot->plotLayout()->addElement(0, 1, m_sideRect);
    QCPAxis* sideKeys = m_sideRect->axis(QCPAxis::atLeft);
    QCPAxis* sideValues = m_sideRect->axis(QCPAxis::atBottom);
    sideKeys->setRangeReversed(true);
    sideKeys->setTickLabels(false);
    sideKeys->setTicker(integerTicker());
    sideKeys->grid()->setVisible(false);
    styleAxis(sideValues, small);
    sideValues->ticker()->setTickCount(3);
    connect(plot->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), sideKeys,
            qOverload<const QCPRange&>(&QCPAxis::setRange));

    m_sidePruned = new QCPBars(sideKeys, sideValues);
    m_sideKept = new QCPBars(sideKeys, sideValues);
    for (QCPBars* bars : {m_sideKept, m_sidePruned}) {
        bars->setWidthType(QCPBars::wtPlotCoords);
        bars->setWidth(0.8);
        bars->setPen(Qt::NoPen);
        bars->setAntialiased(false);
    }
    m_sideKept->setBrush(kBarColour);
    m_sidePruned->setBrush(kPrunedBarColour);

    m_sideNote = new QCPItemText(plot);
    m_sideNote->setClipAxisRect(m_sideRect);
    m_sideNote->position->setAxisRect(m_sideRect);
    m_sideNote->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_sideNote->position->setCoords(0.5, 0.5);
    m_sideNote->setRotation(-90);
    m_sideNote->setFont(small);
    m_sideNote->setColor(QColor(120, 120, 120));

    m_scale = new QCPColorScale(plot);
    plot->plotLayout()->addElement(0, 2, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setBarWidth(10);
    m_scale->setGradient(viridisGradient());
    styleAxis(m_scale->axis(), small);
    m_map->setColorScale(m_scale);
    m_map->setGradient(viridisGradient());

    auto* margins = new QCPMarginGroup(plot);
    main->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_sideRect->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    plot->plotLayout()->setColumnStretchFactors({3.0, 1.0, 0.1});
    plot->plotLayout()->setColumnSpacing(4);
}

void ImportanceHeatmap::buildGridPlot()
{
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    QCustomPlot* plot = m_gridPlot;
    plot->setObjectName(QStringLiteral("disagreementPlot"));
    plot->plotLayout()->clear();

    m_gridTitle = new QCPTextElement(plot, QString(), small);
    plot->plotLayout()->addElement(0, 0, m_gridTitle);
    auto* row = new QCPLayoutGrid;
    plot->plotLayout()->addElement(1, 0, row);
    plot->plotLayout()->setRowStretchFactors({0.01, 1.0});

    m_gridRect = new QCPAxisRect(plot, true);
    m_overlapRect = new QCPAxisRect(plot, true);
    row->addElement(0, 0, m_gridRect);
    row->addElement(0, 1, m_overlapRect);
    row->setColumnStretchFactors({3.0, 2.0});
    auto* margins = new QCPMarginGroup(plot);
    m_gridRect->setMarginGroup(QCP::msTop | QCP::msBottom, margins);
    m_overlapRect->setMarginGroup(QCP::msTop | QCP::msBottom, margins);

    for (QCPAxisRect* rect : {m_gridRect, m_overlapRect})
        for (QCPAxis* axis : {rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft)}) {
            styleAxis(axis, small);
            axis->grid()->setVisible(false);
        }
    m_gridRect->axis(QCPAxis::atLeft)->setRangeReversed(true);
    plotticks::fitIntegerTicks(m_gridRect->axis(QCPAxis::atBottom));
    m_overlapRect->axis(QCPAxis::atLeft)->setRangeReversed(true);

    m_grid = new QCPColorMap(m_gridRect->axis(QCPAxis::atBottom), m_gridRect->axis(QCPAxis::atLeft));
    m_grid->setInterpolate(false);
    QCPColorGradient marks;
    marks.clearColorStops();
    marks.setColorStopAt(0.0, QColor(236, 236, 236));   // kept
    marks.setColorStopAt(0.5, QColor(240, 150, 40));    // a criterion would prune it
    marks.setColorStopAt(1.0, QColor(200, 30, 30));     // the plan prunes it
    marks.setLevelCount(3);
    m_grid->setGradient(marks);
    m_grid->setDataRange(QCPRange(0.0, 2.0));

    m_overlap = new QCPColorMap(m_overlapRect->axis(QCPAxis::atBottom), m_overlapRect->axis(QCPAxis::atLeft));
    m_overlap->setInterpolate(false);
    QCPColorGradient blues;
    blues.clearColorStops();
    blues.setColorStopAt(0.0, QColor(247, 251, 255));
    blues.setColorStopAt(1.0, QColor(33, 113, 181));
    m_overlap->setGradient(blues);
    m_overlap->setDataRange(QCPRange(0.0, 1.0));
}

void ImportanceHeatmap::retranslateUi()
{
    m_selectorLabel->setText(tr("&Side bar:"));
    m_selector->setToolTip(tr("The criterion whose per-filter scores the side bar shows; higher means more important."));
    m_tabs->setTabText(0, tr("Kernels"));
    m_tabs->setTabToolTip(0, tr("L1 norm of every kernel (filter × input channel), with the chosen criterion beside it."));
    m_tabs->setTabText(1, tr("Disagreement"));
    m_tabs->setTabToolTip(1, tr("Which filters each criterion would prune at the same ratio, and how much they overlap."));
    m_kernelPlot->xAxis->setLabel(tr("input channel"));
    m_kernelPlot->yAxis->setLabel(tr("filter"));
    m_kernelPlot->setToolTip(tr("Kernel L1 norms; rows struck out in red are the filters the plan prunes."));
    m_scale->axis()->setLabel(tr("kernel L1"));
    m_gridRect->axis(QCPAxis::atBottom)->setLabel(tr("filter"));
    m_overlapRect->axis(QCPAxis::atBottom)->setLabel(tr("overlap (Jaccard)"));
    m_gridPlot->setToolTip(tr("Orange: a criterion would prune the filter; red: the plan prunes it. Right: the share of "
                              "pruned filters two criteria have in common."));
    updateSelector();
    updateSideBar();
    updateGrid();
}

void ImportanceHeatmap::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

QString ImportanceHeatmap::criterionName(Criterion criterion) const
{
    switch (criterion) {
    case Criterion::L1: return tr("L1 norm");
    case Criterion::L2: return tr("L2 norm");
    case Criterion::Fpgm: return tr("FPGM");
    case Criterion::Apoz: return tr("APoZ");
    case Criterion::Taylor: return QStringLiteral("Taylor");
    case Criterion::BnScale: return tr("BN scale");
    case Criterion::Random: return tr("Random");
    }
    return {};
}

QString ImportanceHeatmap::criterionAxisLabel(Criterion criterion) const
{
    switch (criterion) {
    case Criterion::L1: return tr("L1 norm");
    case Criterion::L2: return tr("L2 norm");
    case Criterion::Fpgm: return tr("FPGM distance");
    case Criterion::Apoz: return tr("1 − APoZ");
    case Criterion::Taylor: return QStringLiteral("Σ |w · ∂L/∂w|");
    case Criterion::BnScale: return tr("BN |γ|");
    case Criterion::Random: return tr("random");
    }
    return {};
}

void ImportanceHeatmap::clear()
{
    m_rows = 0;
    m_cols = 0;
    m_kernelValues.clear();
    m_criteria.clear();
    m_kept.clear();
    m_gridCriteria.clear();
    m_gridKeep.clear();
    m_jaccard.clear();
    m_gridRatio = 0.0;
    m_map->data()->clear();
    m_kernelPlot->xAxis->setRange(axisRange(1));
    m_kernelPlot->yAxis->setRange(axisRange(1));
    updateSelector();
    updateStrikes();
    updateSideBar();
    updateGrid();
    m_kernelPlot->replot(QCustomPlot::rpQueuedReplot);
}

void ImportanceHeatmap::setData(const KernelMatrix& kernels, std::span<const CriterionScores> criteria,
                                const Mask& keptFilters, const Disagreement& disagreement)
{
    updateKernels(kernels);
    m_criteria.assign(criteria.begin(), criteria.end());
    m_kept = keptFilters;
    m_gridCriteria = disagreement.criteria;
    m_gridKeep = disagreement.keep;
    m_jaccard = disagreement.jaccard;
    m_gridRatio = disagreement.ratio;
    updateSelector();
    updateStrikes();
    updateSideBar();
    updateGrid();
    m_kernelPlot->replot(QCustomPlot::rpQueuedReplot);
}

void ImportanceHeatmap::updateKernels(const KernelMatrix& kernels)
{
    if (kernels.rows == m_rows && kernels.cols == m_cols && kernels.values == m_kernelValues)
        return;  // a plan edit: the weights, hence the map, are the same
    m_rows = kernels.rows;
    m_cols = kernels.cols;
    m_kernelValues = kernels.values;
    const int cols = static_cast<int>(m_cols);
    const int rows = static_cast<int>(m_rows);
    m_map->data()->setSize(cols, rows);
    m_map->data()->setRange(cellRange(m_cols), cellRange(m_rows));
    double top = 0.0;
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const double v = m_kernelValues[static_cast<size_t>(r) * static_cast<size_t>(cols) + static_cast<size_t>(c)];
            m_map->data()->setCell(c, r, v);
            if (std::isfinite(v))
                top = std::max(top, v);
        }
    m_map->setDataRange(QCPRange(0.0, top > 0.0 ? top : 1.0));
    m_kernelPlot->xAxis->setRange(axisRange(m_cols));
    m_kernelPlot->yAxis->setRange(axisRange(m_rows));
}

void ImportanceHeatmap::updateStrikes()
{
    // One curve for every struck-out row: a segment per row, NaN between them for a gap.
    QVector<QCPCurveData> points;
    const double left = -0.5;
    const double right = static_cast<double>(std::max<int64_t>(m_cols, 1)) - 0.5;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double t = 0.0;
    for (size_t f = 0; f < m_kept.size() && static_cast<int64_t>(f) < m_rows; ++f) {
        if (m_kept[f])
            continue;
        const auto y = static_cast<double>(f);
        points.append(QCPCurveData(t++, left, y));
        points.append(QCPCurveData(t++, right, y));
        points.append(QCPCurveData(t++, nan, nan));
    }
    m_strikes->data()->set(points, true);
}

void ImportanceHeatmap::updateSelector()
{
    auto* model = qobject_cast<QStandardItemModel*>(m_selector->model());
    for (int i = 0; i < m_selector->count(); ++i) {
        const auto c = static_cast<Criterion>(m_selector->itemData(i).toInt());
        m_selector->setItemText(i, criterionName(c));
        const auto it = std::find_if(m_criteria.begin(), m_criteria.end(),
                                     [c](const CriterionScores& s) { return s.criterion == c; });
        const bool available = it != m_criteria.end() && it->available();
        QString why;
        if (it == m_criteria.end())
            why = m_rows > 0 ? tr("Not computed for this layer.") : tr("No layer selected.");
        else if (!available)
            why = QString::fromStdString(it->reason);
        if (QStandardItem* item = model ? model->item(i) : nullptr)
            item->setEnabled(available);
        m_selector->setItemData(i, available ? tr("Show %1 scores in the side bar.").arg(criterionName(c)) : why,
                                Qt::ToolTipRole);
        if (c == m_criterion)
            m_selector->setCurrentIndex(i);
    }
}

void ImportanceHeatmap::setCriterion(Criterion criterion)
{
    m_criterion = criterion;
    const int index = m_selector->findData(static_cast<int>(criterion));
    if (index >= 0)
        m_selector->setCurrentIndex(index);  // currentIndexChanged is not connected: no signal
    updateSideBar();
    m_kernelPlot->replot(QCustomPlot::rpQueuedReplot);
}

void ImportanceHeatmap::onSelectorActivated(int index)
{
    const auto c = static_cast<Criterion>(m_selector->itemData(index).toInt());
    if (c == m_criterion)
        return;
    m_criterion = c;
    updateSideBar();
    m_kernelPlot->replot(QCustomPlot::rpQueuedReplot);
    emit criterionChanged(c);
}

void ImportanceHeatmap::updateSideBar()
{
    const auto it = std::find_if(m_criteria.begin(), m_criteria.end(),
                                 [this](const CriterionScores& s) { return s.criterion == m_criterion; });
    QVector<QCPBarsData> kept;
    QVector<QCPBarsData> pruned;
    double top = 0.0;
    double bottom = 0.0;
    const bool available = it != m_criteria.end() && it->available();
    if (available) {
        const auto& scores = *it->scores;
        for (size_t f = 0; f < scores.size(); ++f) {
            const double v = scores[f];
            const bool isKept = f >= m_kept.size() || m_kept[f];
            (isKept ? kept : pruned).append(QCPBarsData(static_cast<double>(f), v));
            if (std::isfinite(v)) {
                top = std::max(top, v);
                bottom = std::min(bottom, v);
            }
        }
    }
    m_sideKept->data()->set(kept, true);
    m_sidePruned->data()->set(pruned, true);
    QCPAxis* values = m_sideRect->axis(QCPAxis::atBottom);
    values->setRange(bottom, top > bottom ? top * 1.05 : bottom + 1.0);
    values->setLabel(criterionAxisLabel(m_criterion));
    m_sideNote->setText(available || m_rows == 0 ? QString() : tr("no %1 scores").arg(criterionName(m_criterion)));
    if (m_rows == 0)
        m_note->clear();
    else if (!available)
        m_note->setText(it == m_criteria.end() ? tr("Not computed for this layer.") : QString::fromStdString(it->reason));
    else
        m_note->setText(tr("%n of %1 filters pruned by the plan", nullptr,
                           static_cast<int>(std::count(m_kept.begin(), m_kept.end(), uint8_t{0})))
                            .arg(m_rows));
    m_note->setToolTip(m_note->text());
}

void ImportanceHeatmap::updateGrid()
{
    const auto filters = m_rows;
    const auto k = static_cast<int64_t>(m_gridCriteria.size());
    const int rows = static_cast<int>(k + 1);  // the plan's own selection on top
    m_grid->data()->setSize(static_cast<int>(filters), rows);
    m_grid->data()->setRange(cellRange(filters), cellRange(rows));
    for (int64_t f = 0; f < filters; ++f) {
        const auto fi = static_cast<size_t>(f);
        m_grid->data()->setCell(static_cast<int>(f), 0, fi < m_kept.size() && !m_kept[fi] ? 2.0 : 0.0);
        for (int64_t c = 0; c < k; ++c) {
            const Mask& keep = m_gridKeep[static_cast<size_t>(c)];
            m_grid->data()->setCell(static_cast<int>(f), static_cast<int>(c + 1), fi < keep.size() && !keep[fi] ? 1.0 : 0.0);
        }
    }
    auto names = QSharedPointer<QCPAxisTickerText>::create();
    names->addTick(0, tr("Plan"));
    for (int64_t c = 0; c < k; ++c)
        names->addTick(static_cast<double>(c + 1), criterionName(m_gridCriteria[static_cast<size_t>(c)]));
    m_gridRect->axis(QCPAxis::atLeft)->setTicker(names);
    m_gridRect->axis(QCPAxis::atLeft)->setRange(axisRange(rows));
    m_gridRect->axis(QCPAxis::atBottom)->setRange(axisRange(filters));

    // Overlap matrix: a k x k map with the numbers written in.
    m_overlap->data()->setSize(static_cast<int>(k), static_cast<int>(k));
    m_overlap->data()->setRange(cellRange(k), cellRange(k));
    auto shortNames = QSharedPointer<QCPAxisTickerText>::create();
    for (int64_t c = 0; c < k; ++c)
        shortNames->addTick(static_cast<double>(c), criterionName(m_gridCriteria[static_cast<size_t>(c)]));
    m_overlapRect->axis(QCPAxis::atLeft)->setTicker(shortNames);
    m_overlapRect->axis(QCPAxis::atBottom)->setTicker(shortNames);
    m_overlapRect->axis(QCPAxis::atBottom)->setTickLabelRotation(-45);
    m_overlapRect->axis(QCPAxis::atLeft)->setRange(axisRange(k));
    m_overlapRect->axis(QCPAxis::atBottom)->setRange(axisRange(k));
    const auto cells = static_cast<size_t>(k * k);
    while (m_overlapTexts.size() > cells) {
        m_gridPlot->removeItem(m_overlapTexts.back());
        m_overlapTexts.pop_back();
    }
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    while (m_overlapTexts.size() < cells) {
        auto* text = new QCPItemText(m_gridPlot);
        text->setClipAxisRect(m_overlapRect);
        text->position->setAxes(m_overlapRect->axis(QCPAxis::atBottom), m_overlapRect->axis(QCPAxis::atLeft));
        text->setFont(small);
        m_overlapTexts.push_back(text);
    }
    for (int64_t a = 0; a < k; ++a)
        for (int64_t b = 0; b < k; ++b) {
            const double j = m_jaccard[static_cast<size_t>(a)][static_cast<size_t>(b)];
            m_overlap->data()->setCell(static_cast<int>(b), static_cast<int>(a), j);
            QCPItemText* text = m_overlapTexts[static_cast<size_t>(a * k + b)];
            text->position->setCoords(static_cast<double>(b), static_cast<double>(a));
            text->setText(QString::number(j, 'f', 2));
            text->setColor(j > 0.6 ? Qt::white : Qt::black);
        }

    const auto pruned = static_cast<int64_t>(std::llround(m_gridRatio * static_cast<double>(filters)));
    m_gridTitle->setText(filters == 0 ? tr("No layer selected")
                                      : tr("Filters each criterion would prune at %1 % (%2 of %3)")
                                            .arg(m_gridRatio * 100.0, 0, 'f', 1)
                                            .arg(pruned)
                                            .arg(filters));
    m_gridPlot->replot(QCustomPlot::rpQueuedReplot);
}

ImportanceHeatmap::View ImportanceHeatmap::view() const
{
    return m_tabs->currentIndex() == 1 ? View::Disagreement : View::Kernels;
}

void ImportanceHeatmap::setView(View view)
{
    m_tabs->setCurrentIndex(view == View::Disagreement ? 1 : 0);
}

void ImportanceHeatmap::addActionsBeforeSave(QMenu& menu, QCustomPlot* plot, const QPoint& pos)
{
    const int filter = plot == m_kernelPlot ? filterAt(pos) : -1;
    if (filter < 0)
        return;
    QAction* trace = menu.addAction(tr("Show where filter %1 goes").arg(filter));
    trace->setObjectName(QStringLiteral("traceFilter"));
    trace->setToolTip(tr("Animate on the graph every place that loses a channel when this filter is pruned."));
    connect(trace, &QAction::triggered, this, [this, filter] { emit traceRequested(filter); });
    menu.addSeparator();
}

QString ImportanceHeatmap::saveName(QCustomPlot* plot) const
{
    return plot == m_kernelPlot ? tr("kernel-heatmap.png") : tr("criteria-disagreement.png");
}

int ImportanceHeatmap::filterAt(const QPoint& pos) const
{
    if (m_rows <= 0)
        return -1;
    for (QCPAxisRect* rect : {m_kernelPlot->axisRect(), m_sideRect}) {
        if (!rect->rect().contains(pos))
            continue;
        const double row = std::round(rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y()));
        return row >= 0 && row < static_cast<double>(m_rows) ? static_cast<int>(row) : -1;
    }
    return -1;
}

bool ImportanceHeatmap::saveImage(const QString& path)
{
    if (layout())
        layout()->activate();  // a hidden widget's plot gets its size from our layout
    return savePlotImage(view() == View::Disagreement ? m_gridPlot : m_kernelPlot, path);
}

std::vector<int> ImportanceHeatmap::struckOutRows() const
{
    std::vector<int> rows;
    for (auto it = m_strikes->data()->constBegin(); it != m_strikes->data()->constEnd(); ++it)
        if (!std::isnan(it->value) && (rows.empty() || rows.back() != static_cast<int>(it->value)))
            rows.push_back(static_cast<int>(it->value));
    return rows;
}

std::vector<double> ImportanceHeatmap::sideBarValues() const
{
    std::vector<double> values(static_cast<size_t>(m_rows), std::numeric_limits<double>::quiet_NaN());
    for (QCPBars* bars : {m_sideKept, m_sidePruned})
        for (auto it = bars->data()->constBegin(); it != bars->data()->constEnd(); ++it) {
            const auto row = static_cast<size_t>(it->key);
            if (row < values.size())
                values[row] = it->value;
        }
    return values;
}

int ImportanceHeatmap::greySideBarCount() const
{
    return m_sidePruned->data()->size();
}

int ImportanceHeatmap::disagreementMarks() const
{
    int marks = 0;
    const int keys = m_grid->data()->keySize();
    const int values = m_grid->data()->valueSize();
    for (int x = 0; x < keys; ++x)
        for (int y = 0; y < values; ++y)
            marks += m_grid->data()->cell(x, y) > 0.0 ? 1 : 0;
    return marks;
}

QString ImportanceHeatmap::overlapText(int a, int b) const
{
    const auto k = static_cast<int>(m_gridCriteria.size());
    if (a < 0 || b < 0 || a >= k || b >= k)
        return {};
    return m_overlapTexts[static_cast<size_t>(a * k + b)]->text();
}

} // namespace topiary
