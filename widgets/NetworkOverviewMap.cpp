#include "widgets/NetworkOverviewMap.h"
#include "widgets/PlotStyle.h"

#include "core/model/Layer.h"
#include "widgets/ColorScale.h"
#include "widgets/NumberFormat.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QLabel>
#include <QMouseEvent>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace topiary {

namespace {

// Red appears nowhere in viridis, so pruned cells stand out; partial pruning tints.
const QColor kPrunedColor(0xe4, 0x1a, 0x1c);

QCPColorGradient prunedGradient()
{
    QCPColorGradient g;
    g.clearColorStops();
    QColor clear = kPrunedColor;
    clear.setAlpha(0);
    g.setColorStopAt(0.0, clear);
    g.setColorStopAt(1.0, kPrunedColor);
    g.setNanHandling(QCPColorGradient::nhTransparent);
    return g;
}

// QCPColorMapData divides by (size - 1): keep at least two cells per axis (the extra one
// stays NaN, so it is never drawn).
int dataSize(int64_t n) { return static_cast<int>(std::max<int64_t>(n, 2)); }

const char* criterionLabel(Criterion c)
{
    switch (c) {
    case Criterion::L1:
        return "L1";
    case Criterion::L2:
        return "L2";
    case Criterion::Fpgm:
        return "FPGM";
    case Criterion::BnScale:
        return QT_TRANSLATE_NOOP("topiary::NetworkOverviewMap", "BN scale");
    case Criterion::Apoz:
        return "APoZ";
    case Criterion::Taylor:
        return "Taylor";
    case Criterion::Random:
        return QT_TRANSLATE_NOOP("topiary::NetworkOverviewMap", "random");
    }
    return "";
}

constexpr int kLabelWidth = 190; // px; longer layer names are elided at the front

} // namespace

NetworkOverviewMap::NetworkOverviewMap(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_legend(new QLabel(this))
{
    plotstyle::follow(m_plot);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_legend);
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setContentsMargins(6, 0, 6, 2);
    m_plot->setMouseTracking(true);
    m_plot->setMinimumSize(240, 160);

    m_importance = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_importance->setGradient(viridisGradient());
    m_importance->setInterpolate(false);
    m_importance->setTightBoundary(false);
    m_importance->setDataRange(QCPRange(0.0, 1.0));
    m_pruned = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_pruned->setGradient(prunedGradient());
    m_pruned->setInterpolate(false);
    m_pruned->setDataRange(QCPRange(0.0, 1.0));

    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->setGradient(viridisGradient());
    m_scale->setDataRange(QCPRange(0.0, 1.0));
    m_scale->setBarWidth(10);
    m_importance->setColorScale(m_scale);
    auto* group = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);

    m_plot->yAxis->setRangeReversed(true); // first layer at the top, as in the graph view
    m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    m_plot->yAxis->setSubTicks(false);
    m_plot->yAxis->grid()->setVisible(false);
    m_plot->xAxis->grid()->setVisible(false);
    m_plot->xAxis->ticker()->setTickCount(8);

    m_selectionMark = new QCPItemRect(m_plot);
    m_selectionMark->setPen(plotstyle::pen(Qt::black, 2));
    m_selectionMark->setBrush(Qt::NoBrush);
    m_selectionMark->setVisible(false);
    m_selectionMark->setSelectable(false);

    connect(m_plot, &QCustomPlot::mouseMove, this, &NetworkOverviewMap::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &NetworkOverviewMap::onMousePress);
    connect(m_plot, &QCustomPlot::mouseRelease, this, &NetworkOverviewMap::onMouseRelease);

    retranslateUi();
    clear();
}

void NetworkOverviewMap::retranslateUi()
{
    m_plot->xAxis->setLabel(tr("Filter rank (most important first)"));
    m_scale->axis()->setLabel(tr("Score ÷ layer's best"));
    m_legend->setText(tr("<span style=\"color:%1\">■</span> pruned by the plan (a partial tint: that share of the "
                         "filter's weights is pruned) &nbsp; <b>▶</b> selected layer")
                          .arg(kPrunedColor.name()));
    m_plot->setToolTip(QString());
    setToolTip(tr("Every layer's filters ranked by importance; click a row to select its layer."));
    if (!m_overview.layers.empty())
        m_plot->yAxis->setLabel(tr("Layer (%1 scores)").arg(tr(criterionLabel(m_overview.criterion))));
    else
        m_plot->yAxis->setLabel(tr("Layer"));
}

void NetworkOverviewMap::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        m_plot->replot();
    }
    QWidget::changeEvent(event);
}

void NetworkOverviewMap::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    updateRowLabels();
    m_plot->replot();
}

void NetworkOverviewMap::clear()
{
    setOverview(NetworkOverview {}, {});
}

void NetworkOverviewMap::setOverview(const NetworkOverview& overview, const std::vector<Layer>& layers)
{
    m_overview = overview;
    m_rowNames.clear();
    for (int l : m_overview.layers)
        m_rowNames.push_back(l >= 0 && static_cast<size_t>(l) < layers.size() ? layers[static_cast<size_t>(l)].name
                                                                               : std::string());

    const int rows = m_overview.rows();
    const int64_t columns = m_overview.columns;
    const int keys = dataSize(columns);
    const int values = dataSize(rows);
    for (QCPColorMap* map : { m_importance, m_pruned }) {
        map->data()->setSize(keys, values);
        map->data()->setRange(QCPRange(0, keys - 1), QCPRange(0, values - 1));
        map->data()->fill(std::nan(""));
    }
    for (int r = 0; r < rows; ++r)
        for (int64_t c = 0; c < columns; ++c) {
            const size_t cell = m_overview.cell(r, c);
            m_importance->data()->setCell(static_cast<int>(c), r, m_overview.importance[cell]);
            m_pruned->data()->setCell(static_cast<int>(c), r, m_overview.pruned[cell]);
        }
    m_plot->xAxis->setRange(-0.5, std::max<double>(static_cast<double>(columns), 1.0) - 0.5);
    m_plot->yAxis->setRange(-0.5, std::max(rows, 1) - 0.5);
    retranslateUi();
    updateRowLabels();
    updateSelectionMark();
    m_plot->replot();
}

void NetworkOverviewMap::updateRowLabels()
{
    auto ticker = qSharedPointerCast<QCPAxisTickerText>(m_plot->yAxis->ticker());
    ticker->clear();
    const int rows = m_overview.rows();
    if (rows == 0)
        return;
    // Every k-th name, as many as fit one per text line; the selected row always.
    const QFontMetrics metrics(m_plot->yAxis->tickLabelFont());
    const int available = std::max(1, m_plot->height() - 70); // minus the x axis and margins
    const int step = std::max(1, static_cast<int>(std::ceil(rows * (metrics.height() + 1.0) / available)));
    int selectedRow = -1;
    for (int r = 0; r < rows; ++r)
        if (m_overview.layers[static_cast<size_t>(r)] == m_selectedLayer)
            selectedRow = r;
    for (int r = 0; r < rows; ++r) {
        const bool selected = r == selectedRow;
        if (!selected && (r % step != 0 || (selectedRow >= 0 && std::abs(r - selectedRow) < step)))
            continue;
        QString name = metrics.elidedText(
            QString::fromStdString(m_rowNames[static_cast<size_t>(r)]), Qt::ElideLeft, kLabelWidth);
        ticker->addTick(r, selected ? QStringLiteral("▶ ") + name : name);
    }
}

void NetworkOverviewMap::setSelectedLayer(int layer)
{
    m_selectedLayer = layer;
    updateRowLabels();
    updateSelectionMark();
    m_plot->replot();
}

void NetworkOverviewMap::updateSelectionMark()
{
    const auto it = std::find(m_overview.layers.begin(), m_overview.layers.end(), m_selectedLayer);
    if (m_selectedLayer < 0 || it == m_overview.layers.end()) {
        m_selectionMark->setVisible(false);
        return;
    }
    const auto row = static_cast<double>(it - m_overview.layers.begin());
    m_selectionMark->topLeft->setCoords(-0.5, row - 0.5);
    m_selectionMark->bottomRight->setCoords(static_cast<double>(m_overview.columns) - 0.5, row + 0.5);
    m_selectionMark->setVisible(true);
}

bool NetworkOverviewMap::cellAt(const QPoint& plotPos, int* row, int64_t* rank) const
{
    if (m_overview.rows() == 0 || !m_plot->axisRect()->rect().contains(plotPos))
        return false;
    const double x = m_plot->xAxis->pixelToCoord(plotPos.x());
    const double y = m_plot->yAxis->pixelToCoord(plotPos.y());
    const auto r = static_cast<int>(std::floor(y + 0.5));
    const auto c = static_cast<int64_t>(std::floor(x + 0.5));
    if (r < 0 || r >= m_overview.rows() || c < 0 || c >= m_overview.columns)
        return false;
    *row = r;
    *rank = c;
    return true;
}

QPoint NetworkOverviewMap::cellCenter(int row, int64_t rank) const
{
    return QPoint(static_cast<int>(std::lround(m_plot->xAxis->coordToPixel(static_cast<double>(rank)))),
        static_cast<int>(std::lround(m_plot->yAxis->coordToPixel(row))));
}

QString NetworkOverviewMap::cellText(int row, int64_t rank) const
{
    if (row < 0 || row >= m_overview.rows() || rank < 0 || rank >= m_overview.columns)
        return {};
    const QString name = QString::fromStdString(m_rowNames[static_cast<size_t>(row)]);
    const size_t cell = m_overview.cell(row, rank);
    const int64_t filter = m_overview.filters[cell];
    if (filter < 0)
        return tr("%1: has only %2 filters").arg(name).arg(m_overview.rowLength(row));
    const float pruned = m_overview.pruned[cell];
    QString state;
    if (pruned >= 1.0f)
        state = tr("pruned");
    else if (pruned > 0.0f)
        state = tr("%1 % of its weights pruned").arg(format::fixed(100.0 * pruned, 0));
    else
        state = tr("kept");
    return tr("%1, filter rank %2 (filter %3), %4 score %5 (%6 of the layer's best), %7")
        .arg(name)
        .arg(rank)
        .arg(filter)
        .arg(tr(criterionLabel(m_overview.criterion)))
        .arg(format::significant(static_cast<double>(m_overview.scores[cell]), 4))
        .arg(format::fixed(static_cast<double>(m_overview.importance[cell]), 3))
        .arg(state);
}

void NetworkOverviewMap::onMouseMove(QMouseEvent* event)
{
    int row = 0;
    int64_t rank = 0;
    if (cellAt(event->position().toPoint(), &row, &rank))
        QToolTip::showText(event->globalPosition().toPoint(), cellText(row, rank), m_plot);
    else
        QToolTip::hideText();
}

void NetworkOverviewMap::onMousePress(QMouseEvent* event)
{
    m_click.press(event);
}

void NetworkOverviewMap::onMouseRelease(QMouseEvent* event)
{
    const auto click = m_click.release(event);
    if (!click)
        return;
    const QPoint pos = *click;
    int row = 0;
    int64_t rank = 0;
    if (!cellAt(pos, &row, &rank))
        return;
    const int layer = m_overview.layers[static_cast<size_t>(row)];
    setSelectedLayer(layer);
    emit layerSelected(layer);
}

} // namespace topiary
