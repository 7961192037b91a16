#include "LayerTablePane.h"

#include "ActivationSection.h"
#include "Document.h"

#include "widgets/LayerTableModel.h"
#include "widgets/NumberFormat.h"

#include "core/compress/PruneSelection.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Model.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QSortFilterProxyModel>

namespace topiary {

LayerTablePane::LayerTablePane(Document* document, QWidget* parent)
    : QTableView(parent)
    , m_document(document)
    , m_model(new LayerTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(LayerTableModel::SortRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    setObjectName(QStringLiteral("layerTable"));
    setModel(m_proxy);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setAlternatingRowColors(true);
    setWordWrap(false);
    setTextElideMode(Qt::ElideMiddle); // keeps the op at the end of "/a/b/c/Conv"
    verticalHeader()->setDefaultAlignment(Qt::AlignRight | Qt::AlignVCenter);
    // Styles default to roomy rows; a model has hundreds of layers, so keep them to one line.
    verticalHeader()->setDefaultSectionSize(fontMetrics().lineSpacing() + 8);
    QHeaderView* header = horizontalHeader();
    header->setSectionsMovable(true);
    // Names take whatever width the numbers leave; the full name is in the tooltip.
    header->setSectionResizeMode(LayerTableModel::Name, QHeaderView::Stretch);
    header->setHighlightSections(false);
    // Unsorted shows the graph's topological order; a third click on a header returns to it.
    header->setSortIndicatorClearable(true);
    header->setSortIndicator(-1, Qt::AscendingOrder);
    setSortingEnabled(true);

    connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        if (current.isValid())
            m_document->selectLayer(m_proxy->mapToSource(current).row());
    });
    connect(m_model, &LayerTableModel::pruneRatioEdited, this, &LayerTablePane::editPruneRatio);
    connect(m_model, &LayerTableModel::bitsEdited, this, &LayerTablePane::editBits);
    connect(m_model, &LayerTableModel::activationEdited, this, [this](int layer, const ActivationSpec& spec) {
        if (m_document->isEmpty())
            return;
        const auto& name = m_document->cost()->layers()[static_cast<size_t>(layer)].name;
        m_document->editPlan(ActivationSection::withActivation(m_document->plan(), name, spec),
            ActivationSection::editText(name, spec));
    });
    connect(m_document, &Document::modelChanged, this, &LayerTablePane::showModel);
    connect(m_document, &Document::planChanged, this,
        [this] { m_model->setPlan(m_document->plan(), m_document->currentStats()); });
    connect(m_document, &Document::selectionChanged, this, &LayerTablePane::showSelection);
}

void LayerTablePane::showModel()
{
    if (m_document->isEmpty()) {
        m_model->setModel(nullptr, nullptr);
        return;
    }
    m_model->setModel(m_document->model(), m_document->cost());
    m_model->setPlan(m_document->plan(), m_document->currentStats());
    resizeColumnsToContents();
}

void LayerTablePane::showSelection(int layer)
{
    const QModelIndex row = layer >= 0 ? m_proxy->mapFromSource(m_model->index(layer, 0)) : QModelIndex();
    if (row.isValid() && currentIndex().row() != row.row()) {
        selectionModel()->setCurrentIndex(row, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        scrollTo(row);
    }
}

void LayerTablePane::editPruneRatio(int layer, double ratio)
{
    if (m_document->isEmpty() || !m_document->groups())
        return;
    const PruneSpec spec = ratio > 0.0 ? PruneSpec { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, ratio }
                                       : PruneSpec {};
    const auto& name = m_document->cost()->layers()[static_cast<size_t>(layer)].name;
    m_document->editPlan(withLayerPrune(m_document->plan(), m_document->cost()->layers(), *m_document->groups(), layer, spec),
        ratio > 0.0 ? tr("Prune %1 filters of %2").arg(format::percent(ratio), QString::fromStdString(name))
                    : tr("Stop pruning %1").arg(QString::fromStdString(name)));
}

void LayerTablePane::editBits(int layer, int bits)
{
    if (m_document->isEmpty())
        return;
    const auto& name = m_document->cost()->layers()[static_cast<size_t>(layer)].name;
    const QuantSpec spec = bits == 32 ? QuantSpec {} : QuantSpec { QuantScheme::Uniform, bits, true, true };
    m_document->editPlan(m_document->plan().withQuant(name, spec), tr("%1 at %2 bits").arg(QString::fromStdString(name)).arg(bits));
}

} // namespace topiary
