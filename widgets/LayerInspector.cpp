#include "widgets/LayerInspector.h"

#include "widgets/ActivationHistogramPlot.h"
#include "widgets/ImportanceHeatmap.h"
#include "widgets/LayerControls.h"
#include "widgets/NumberFormat.h"
#include "widgets/WeightHistogramPlot.h"

#include "core/analysis/LayerInspection.h"

#include <QEvent>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace topiary {

LayerInspector::LayerInspector(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_problems(new QLabel(this))
    , m_split(new QSplitter(Qt::Horizontal, this))
    , m_histogram(new WeightHistogramPlot(this))
    , m_histograms(new QTabWidget(this))
    , m_activationHistogram(new ActivationHistogramPlot(this))
    , m_heatmap(new ImportanceHeatmap(this))
    , m_controls(new LayerControls(this))
{
    m_title->setObjectName(QStringLiteral("inspectorTitle"));
    m_title->setTextFormat(Qt::RichText);
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problems->setObjectName(QStringLiteral("inspectorProblems"));
    m_problems->setWordWrap(true);
    m_problems->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_problems->hide();

    // The weights' and the input activations' histograms share one place: stacked, the
    // second pushed the heatmap out of a 1366x768 window's inspector.
    m_histograms->setObjectName(QStringLiteral("inspectorHistograms"));
    m_histograms->setDocumentMode(true);
    m_histograms->addTab(m_histogram, QString());
    m_histograms->addTab(m_activationHistogram, QString());
    auto* plots = new QSplitter(Qt::Vertical, m_split);
    plots->addWidget(m_histograms);
    plots->addWidget(m_heatmap);
    plots->setStretchFactor(0, 2);
    plots->setStretchFactor(1, 3);
    plots->setChildrenCollapsible(false);
    auto* scroll = new QScrollArea(m_split);
    scroll->setWidget(m_controls);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(m_controls->minimumSizeHint().width() + 12);
    m_split->addWidget(plots);
    m_split->addWidget(scroll);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 1);
    m_split->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_title);
    layout->addWidget(m_problems);
    layout->addWidget(m_split, 1);

    connect(m_controls, &LayerControls::pruneEdited, this, &LayerInspector::pruneEdited);
    connect(m_controls, &LayerControls::quantEdited, this, &LayerInspector::quantEdited);
    connect(m_controls, &LayerControls::lowRankEdited, this, &LayerInspector::lowRankEdited);
    connect(m_controls, &LayerControls::activationEdited, this, &LayerInspector::activationEdited);
    connect(m_controls, &LayerControls::calibrationMethodEdited, this, &LayerInspector::calibrationMethodEdited);
    connect(m_histogram, &WeightHistogramPlot::thresholdDragged, this, &LayerInspector::thresholdDragged);
    connect(m_histogram, &WeightHistogramPlot::thresholdDragFinished, this, &LayerInspector::thresholdDragFinished);
    connect(m_heatmap, &ImportanceHeatmap::criterionChanged, this, &LayerInspector::criterionChanged);
    connect(m_heatmap, &ImportanceHeatmap::traceRequested, this, &LayerInspector::traceRequested);

    retranslateUi();
    clear();
}

void LayerInspector::retranslateUi()
{
    m_title->setToolTip(tr("The layer being inspected: its name, kind and weight shape."));
    m_histograms->setTabText(0, tr("Weights"));
    m_histograms->setTabText(1, tr("Input activations"));
    m_histograms->setTabToolTip(1, tr("The values this layer reads, with their calibrated 8-bit range."));
    updateTitle();
}

void LayerInspector::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void LayerInspector::clear()
{
    m_layer = -1;
    m_name.clear();
    m_shape.clear();
    m_filters = 0;
    m_pruned = 0;
    m_elementFraction = 0.0;
    m_pruneError.clear();
    m_levelsError.clear();
    m_histogram->clear();
    m_activationHistogram->clear();
    showActivationTab(false);
    m_heatmap->clear();
    m_controls->clear();
    updateTitle();
}

void LayerInspector::setInspection(const LayerInspection& inspection, const LayerSpec& spec)
{
    const bool newLayer = inspection.layer != m_layer || inspection.name != m_name;
    m_layer = inspection.layer;
    m_name = inspection.name;
    m_kind = inspection.kind;
    m_shape = inspection.weightShape;
    m_filters = inspection.limits.filters;
    m_pruned = inspection.prunedFilterCount();
    m_elementFraction = inspection.elementPrunedFraction;
    m_pruneError = inspection.pruneError;
    m_levelsError = inspection.levels.error;

    m_histogram->setData(inspection.histogram, inspection.elementThreshold, inspection.elementPrunedFraction,
                         inspection.levels.values);
    m_histogram->setQuantRanges(inspection.levels.mseRange, inspection.levels.minMaxRange);
    // Follow the plan's criterion when it changes; otherwise keep the user's view choice.
    if (spec.prune.granularity == PruneGranularity::Filter
        && (newLayer || spec.prune.criterion != m_shownPrune.criterion
            || m_shownPrune.granularity != PruneGranularity::Filter)
        && inspectedCriterionIndex(spec.prune.criterion) >= 0)
        m_heatmap->setCriterion(spec.prune.criterion);
    else if (newLayer && !inspection.scores(m_heatmap->criterion()).available())
        m_heatmap->setCriterion(Criterion::L1);  // the last layer's choice does not apply here
    m_shownPrune = spec.prune;
    m_heatmap->setData(inspection.kernels, inspection.criteria, inspection.keptFilters, inspection.disagreement);
    m_controls->setSpec(spec, inspection.limits);
    showActivationTab(spec.act.quantized());
    updateTitle();
}

void LayerInspector::updateTitle()
{
    if (m_layer < 0) {
        m_title->setText(tr("<i>Select a layer to inspect its weights.</i>"));
        m_problems->hide();
        return;
    }
    QStringList dims;
    qint64 elements = m_shape.empty() ? 0 : 1;
    for (int64_t d : m_shape) {
        dims << QString::number(d);
        elements *= d;
    }
    QString text = tr("<b>%1</b> &nbsp;%2 · weight %3 (%4 weights) · %5 of %6 filters pruned")
                       .arg(QString::fromStdString(m_name).toHtmlEscaped(), QString::fromLatin1(layerKindName(m_kind)),
                            dims.join(QStringLiteral(" × ")), format::count(elements), format::count(m_pruned),
                            format::count(m_filters));
    if (m_elementFraction > 0.0)
        text += tr(" · %1 % of weights zeroed").arg(m_elementFraction * 100.0, 0, 'f', 1);
    m_title->setText(text);
    QStringList problems;
    if (!m_pruneError.empty())
        problems << tr("Filter pruning: %1").arg(QString::fromStdString(m_pruneError));
    if (!m_levelsError.empty())
        problems << tr("Encoding: %1").arg(QString::fromStdString(m_levelsError));
    m_problems->setText(problems.join(QLatin1Char('\n')));
    m_problems->setVisible(!problems.isEmpty());
}

void LayerInspector::showActivationTab(bool shown)
{
    m_histograms->setTabVisible(1, shown);
    m_histograms->tabBar()->setVisible(shown);
    if (!shown)
        m_histograms->setCurrentIndex(0);
}

void LayerInspector::showActivationHistogram()
{
    showActivationTab(true);
    m_histograms->setCurrentIndex(1);
}

QString LayerInspector::titleText() const
{
    return m_title->text();
}

} // namespace topiary
