#include "GraphPane.h"

#include "Document.h"
#include "JobTracker.h"

#include "widgets/GraphView.h"
#include "widgets/NumberFormat.h"
#include "widgets/TraceFrame.h"

#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/analysis/FilterTrace.h"
#include "core/model/Model.h"
#include "core/analysis/Stats.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace topiary {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

GraphPane::GraphPane(Document* document, QWidget* parent)
    : QWidget(parent)
    , m_document(document)
    , m_view(new GraphView(this))
    , m_jobs(new JobTracker(this))
{
    m_view->setObjectName(QStringLiteral("graphView"));
    m_metricLabel = new QLabel(this);
    m_metricBox = new QComboBox(this);
    m_metricBox->setObjectName(QStringLiteral("graphMetric"));
    for (int i = 0; i <= static_cast<int>(Metric::Sensitivity); ++i)
        m_metricBox->addItem(QString(), i);
    m_metricLabel->setBuddy(m_metricBox);
    m_compact = new QToolButton(this);
    m_compact->setCheckable(true);
    m_changes = new QToolButton(this);
    m_changes->setCheckable(true);
    m_changes->setObjectName(QStringLiteral("showChanges"));
    m_fit = new QToolButton(this);
    m_find = new QLineEdit(this);
    m_find->setClearButtonEnabled(true);
    m_find->setMaximumWidth(260);

    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(4, 2, 4, 2);
    bar->addWidget(m_metricLabel);
    bar->addWidget(m_metricBox);
    bar->addSpacing(12);
    bar->addWidget(m_compact);
    bar->addWidget(m_changes);
    bar->addWidget(m_fit);
    bar->addStretch(1);
    bar->addWidget(m_find);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);

    connect(m_metricBox, &QComboBox::currentIndexChanged, this, &GraphPane::applyColours);
    connect(m_compact, &QToolButton::toggled, this, &GraphPane::setCompact);
    connect(m_changes, &QToolButton::toggled, this, &GraphPane::applyBadges);
    connect(m_fit, &QToolButton::clicked, m_view, &GraphView::fitToView);
    connect(m_find, &QLineEdit::returnPressed, this, &GraphPane::find);
    connect(m_view, &GraphView::layerSelected, this, &GraphPane::layerSelected);
    connect(m_document, &Document::modelChanged, this, &GraphPane::onModelChanged);
    connect(m_document, &Document::planChanged, this, &GraphPane::refreshPlan);
    m_metricBox->setCurrentIndex(static_cast<int>(Metric::Sparsity));
    retranslateUi();
}

void GraphPane::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslateUi();
        applyColours(); // the legend's title is the metric's name, in the new language
    }
    QWidget::changeEvent(event);
}

void GraphPane::retranslateUi()
{
    m_metricLabel->setText(tr("Colour &by:"));
    const QString names[] = { tr("Nothing"), tr("Sparsity"), tr("Bit width"), tr("Share of MACs"),
        tr("Share of params"), tr("Sensitivity") };
    for (int i = 0; i < m_metricBox->count(); ++i)
        m_metricBox->setItemText(i, names[i]);
    m_metricBox->setToolTip(tr("Choose the per-layer number that colours the layer boxes."));
    m_compact->setText(tr("Compact"));
    m_compact->setToolTip(tr("Fold BatchNorm and activations into the layer before them for a shorter graph."));
    m_changes->setText(tr("Show changes"));
    m_changes->setToolTip(tr("Write under each changed layer what the plan does to its channels, bits and MACs."));
    m_fit->setText(tr("Fit"));
    m_fit->setToolTip(tr("Zoom so that the whole graph fits the view (Ctrl+0)."));
    m_find->setPlaceholderText(tr("Find layer…"));
    m_find->setToolTip(tr("Type part of a layer's name and press Enter to select it."));
}

void GraphPane::setSelectedLayer(int layer)
{
    m_selected = layer;
    m_view->setSelectedLayer(layer);
    applyHighlights();
}

void GraphPane::setMetric(Metric metric)
{
    m_metricBox->setCurrentIndex(static_cast<int>(metric));
}

GraphPane::Metric GraphPane::metric() const
{
    return static_cast<Metric>(m_metricBox->currentIndex());
}

void GraphPane::setCompact(bool compact)
{
    if (m_compact->isChecked() != compact) {
        m_compact->setChecked(compact); // comes back here through toggled
        return;
    }
    if (m_document->isEmpty())
        return;
    if (const auto& cached = m_layouts[compact ? 1 : 0]) {
        m_view->setGraph(*cached);
        applyHighlights();
        return;
    }
    startLayout();
}

void GraphPane::setShowChanges(bool show)
{
    m_changes->setChecked(show);
}

void GraphPane::setSensitivity(std::vector<double> lossPerLayer)
{
    m_sensitivity = std::move(lossPerLayer);
    if (metric() == Metric::Sensitivity)
        applyColours();
}

void GraphPane::onModelChanged()
{
    m_layouts[0].reset();
    m_layouts[1].reset();
    m_sensitivity.clear();
    m_selected = -1;
    m_laidOut = false;
    m_pendingTrace.reset();
    m_view->clear();
    if (m_document->isEmpty())
        return;
    // Layers that cannot be pruned say why, on hover.
    const auto& layers = m_document->cost()->layers();
    if (const auto& groups = m_document->groups()) {
        const auto groupOf = producerGroupOfLayers(*groups, layers.size());
        for (size_t i = 0; i < layers.size(); ++i) {
            const int g = groupOf[i];
            if (g >= 0 && !(*groups)[static_cast<size_t>(g)].prunable)
                m_view->setNodeToolTip(static_cast<int>(i),
                    tr("Its filters cannot be pruned: %1")
                        .arg(QString::fromStdString((*groups)[static_cast<size_t>(g)].reason)));
            else
                m_view->setNodeToolTip(static_cast<int>(i), QString());
        }
    }
    startLayout();
}

void GraphPane::startLayout()
{
    const bool compact = m_compact->isChecked();
    // A newer layout (another model or mode) makes this one stale: the tracker drops it.
    m_jobs->run(
        [model = m_document->model(), cost = m_document->cost(), options = m_view->layoutOptions(compact)](
            const JobToken&) { return layoutGraph(*model, cost->layers(), options); },
        [this, compact](Result<GraphLayout> layout) { onLayoutDone(compact, std::move(layout)); });
}

void GraphPane::onLayoutDone(bool compact, Result<GraphLayout> layout)
{
    if (m_document->isEmpty())
        return;
    if (!layout) {
        m_view->clear();
        return;
    }
    m_layouts[compact ? 1 : 0] = std::move(*layout);
    m_view->setGraph(*m_layouts[compact ? 1 : 0]);
    m_laidOut = true;
    refreshPlan();
    applyHighlights();
    playPendingTrace();
    emit layoutReady();
}

void GraphPane::refreshPlan()
{
    applyColours();
    applyBadges();
}

void GraphPane::applyColours()
{
    if (m_document->isEmpty())
        return;
    const ModelStats& stats = m_document->currentStats();
    const size_t count = stats.layers.size();
    std::vector<double> values(count, kNaN);
    double lo = 0.0;
    double hi = 1.0;
    QString name = m_metricBox->currentText();
    switch (metric()) {
    case Metric::None:
        m_view->clearNodeValues();
        return;
    case Metric::Sparsity:
        for (size_t i = 0; i < count; ++i)
            values[i] = stats.layers[i].sparsity;
        break;
    case Metric::Bits:
        lo = 1.0;
        hi = 32.0;
        for (size_t i = 0; i < count; ++i)
            values[i] = stats.layers[i].bitsPerWeight;
        break;
    case Metric::MacsShare:
    case Metric::ParamsShare: {
        values = metric() == Metric::MacsShare ? macsShare(stats) : paramsShare(stats);
        hi = 0.0;
        for (const double share : values)
            hi = std::max(hi, share);
        if (hi <= 0.0)
            hi = 1.0;
        break;
    }
    case Metric::Sensitivity:
        hi = 0.0;
        for (size_t i = 0; i < count && i < m_sensitivity.size(); ++i) {
            values[i] = m_sensitivity[i];
            if (!std::isnan(values[i]))
                hi = std::max(hi, values[i]);
        }
        if (hi <= 0.0)
            hi = 1.0;
        name = tr("Top-1 lost at 50 % pruning");
        break;
    }
    m_view->setNodeValues(std::move(values), name, lo, hi);
}

void GraphPane::applyBadges()
{
    if (m_document->isEmpty() || !m_changes->isChecked()) {
        m_view->clearBadges();
        return;
    }
    const ModelStats& before = m_document->originalStats();
    const ModelStats& after = m_document->currentStats();
    std::map<int, QString> badges;
    for (size_t i = 0; i < after.layers.size() && i < before.layers.size(); ++i) {
        const LayerStats& a = before.layers[i];
        const LayerStats& b = after.layers[i];
        QStringList parts;
        if (a.outChannels != b.outChannels)
            parts << tr("%1\u2192%2 ch").arg(a.outChannels).arg(b.outChannels);
        if (a.inChannels != b.inChannels)
            parts << tr("in %1\u2192%2").arg(a.inChannels).arg(b.inChannels);
        if (b.sparsity > a.sparsity + 1e-9)
            parts << tr("%1 zero").arg(format::percent(b.sparsity));
        if (a.bitsPerWeight != b.bitsPerWeight)
            parts << tr("%1 bit").arg(b.bitsPerWeight);
        if (b.rank > 0)
            parts << tr("rank %1").arg(b.rank);
        if (a.linearMacs != b.linearMacs && a.linearMacs > 0)
            parts << tr("%1 MACs").arg(format::percent(static_cast<double>(b.linearMacs - a.linearMacs) / static_cast<double>(a.linearMacs)));
        if (!parts.isEmpty())
            badges[static_cast<int>(i)] = parts.join(QStringLiteral(" · "));
    }
    m_view->setNodeBadges(std::move(badges));
}

void GraphPane::applyHighlights()
{
    std::vector<int> coupled;
    if (m_selected >= 0 && !m_document->isEmpty() && m_document->groups()) {
        const auto& groups = *m_document->groups();
        for (const auto& group : groups) {
            const bool mine = std::find(group.producers.begin(), group.producers.end(), m_selected) != group.producers.end();
            if (!mine)
                continue;
            for (int l : group.producers)
                if (l != m_selected)
                    coupled.push_back(l);
            coupled.insert(coupled.end(), group.consumers.begin(), group.consumers.end());
        }
    }
    m_view->setHighlightedLayers(std::move(coupled));
}

Result<void> GraphPane::traceFilter(int layer, int filter)
{
    if (m_document->isEmpty() || !m_document->groups())
        return fail(tr("No model is open.").toStdString());
    auto trace = topiary::traceFilter(*m_document->model(), m_document->cost()->layers(), *m_document->groups(), layer, filter);
    if (!trace)
        return std::unexpected(trace.error());
    m_pendingTrace = std::move(*trace);
    if (m_laidOut)
        playPendingTrace();
    return {};
}

void GraphPane::playPendingTrace()
{
    const auto& layout = m_layouts[m_compact->isChecked() ? 1 : 0];
    if (!m_pendingTrace || !layout || m_document->isEmpty())
        return;
    m_view->playTrace(traceFrames(*m_document->model(), *m_pendingTrace, *layout));
    m_pendingTrace.reset();
}

void GraphPane::find()
{
    const QString text = m_find->text().trimmed();
    if (!text.isEmpty() && !m_view->findLayer(text))
        m_find->selectAll();
}

} // namespace topiary
