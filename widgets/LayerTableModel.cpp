#include "widgets/LayerTableModel.h"

#include "widgets/NumberFormat.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

namespace topiary {

namespace {

QString fromStd(const std::string& s)
{
    return QString::fromStdString(s);
}

// "1x3x224x224" as the core spells it, with a proper multiplication sign.
QString shapeText(const std::vector<int64_t>& shape)
{
    return fromStd(shapeToString(shape)).replace(QLatin1Char('x'), QChar(0x00D7));
}

qlonglong elementCount(const std::vector<int64_t>& shape)
{
    TensorInfo info;
    info.shape = shape;
    info.hasShape = true;
    return info.numElements().value_or(-1);
}

} // namespace

LayerTableModel::LayerTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

LayerTableModel::~LayerTableModel() = default;

void LayerTableModel::setModel(std::shared_ptr<const Model> model, std::shared_ptr<const CostModel> cost)
{
    beginResetModel();
    if (model && cost) {
        m_model = std::move(model);
        m_cost = std::move(cost);
    } else {
        m_model.reset();
        m_cost.reset();
    }
    m_plan = Plan {};
    m_stats = ModelStats {};
    endResetModel();
}

void LayerTableModel::setPlan(const Plan& plan, const ModelStats& stats)
{
    m_plan = plan;
    m_stats = stats;
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

const LayerStats* LayerTableModel::layerStats(int row) const
{
    if (m_plan.empty() || static_cast<size_t>(row) >= m_stats.layers.size())
        return nullptr;
    return &m_stats.layers[static_cast<size_t>(row)];
}

Qt::ItemFlags LayerTableModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && (index.column() == Pruned || index.column() == Bits || index.column() == Activations))
        f |= Qt::ItemIsEditable;
    return f;
}

bool LayerTableModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)
        || !m_cost)
        return false;
    bool ok = false;
    if (index.column() == Pruned) {
        const double percent = value.toString().remove(QLatin1Char('%')).trimmed().toDouble(&ok);
        if (!ok || percent < 0.0 || percent > 95.0)
            return false;
        emit pruneRatioEdited(index.row(), percent / 100.0);
        return true;
    }
    if (index.column() == Bits) {
        const int bits = value.toInt(&ok);
        if (!ok || !((bits >= 2 && bits <= 16) || bits == 32))
            return false;
        emit bitsEdited(index.row(), bits);
        return true;
    }
    if (index.column() == Activations) {
        const QString text = value.toString().trimmed().toLower();
        ActivationSpec spec;
        if (text == u"uint8" || text == u"u8" || text == u"8")
            spec = ActivationSpec{8, false};
        else if (text == u"int8" || text == u"s8" || text == u"i8")
            spec = ActivationSpec{8, true};
        else if (text != u"float" && text != u"32")
            return false;
        emit activationEdited(index.row(), spec);
        return true;
    }
    return false;
}

QVariant LayerTableModel::planData(int row, int column, int role) const
{
    const LayerSpec& spec = m_plan.spec(m_cost->layers()[static_cast<size_t>(row)].name);
    if (column == Pruned) {
        const bool pruned = spec.prune.granularity != PruneGranularity::None;
        const double percent = pruned && spec.prune.mode == PruneMode::Ratio ? 100.0 * spec.prune.value : 0.0;
        if (role == Qt::EditRole || role == SortRole)
            return percent;
        if (role == Qt::ToolTipRole)
            return tr("Share of this layer's filters removed (structured pruning by L1 norm, together with every "
                      "layer coupled to its channels). Double-click to edit: 0 to 95 %.");
        if (!pruned)
            return QString(QChar(0x2014));
        if (spec.prune.mode != PruneMode::Ratio)
            return tr("rule");
        return tr("%1 %").arg(format::fixed(percent, 0));
    }
    if (column == Activations) {
        if (role == Qt::EditRole)
            return !spec.act.quantized() ? QStringLiteral("float") : spec.act.symmetric ? QStringLiteral("int8") : QStringLiteral("uint8");
        if (role == SortRole)
            return spec.act.bits * 2 + (spec.act.symmetric ? 1 : 0);
        if (role == Qt::ToolTipRole)
            return tr("The layer's input activations: float, or 8 bits per value on a range calibrated on the dataset "
                      "(uint8 asymmetric, int8 symmetric). Double-click to edit: float, uint8 or int8.");
        if (!spec.act.quantized())
            return tr("float");
        return spec.act.symmetric ? tr("8 (int8)") : tr("8 (uint8)");
    }
    const bool uniform = spec.quant.scheme == QuantScheme::Uniform;
    const int bits = spec.quant.scheme == QuantScheme::Float32 ? 32 : spec.quant.bits;
    if (role == Qt::EditRole || role == SortRole)
        return bits;
    if (role == Qt::ToolTipRole)
        return tr("Bits per weight: 32 is float; 2 to 16 quantize uniformly, symmetric, one scale per output channel. "
                  "Double-click to edit.");
    if (spec.quant.scheme == QuantScheme::Float32)
        return tr("32 (float)");
    return uniform ? QString::number(bits) : tr("%1 bits").arg(bits);
}

int LayerTableModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() || !m_cost)
        return 0;
    return static_cast<int>(m_cost->layers().size());
}

int LayerTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || !m_cost)
        return {};
    const int row = index.row();
    const int column = index.column();
    if ((column == Pruned || column == Bits || column == Activations)
        && (role == Qt::DisplayRole || role == Qt::EditRole || role == SortRole || role == Qt::ToolTipRole))
        return planData(row, column, role);
    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, column);
    case SortRole:
        return sortData(row, column);
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::TextAlignmentRole:
        if (column == Params || column == Macs || column == WeightBytes || column == Pruned || column == Bits
            || column == Activations)
            return QVariant((Qt::AlignRight | Qt::AlignVCenter).toInt());
        return QVariant((Qt::AlignLeft | Qt::AlignVCenter).toInt());
    default:
        return {};
    }
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical) {
        // Row numbers follow the model's topological order, whatever the sort.
        if (role == Qt::DisplayRole)
            return section + 1;
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name: return tr("Layer");
        case Op: return tr("Op");
        case WeightShape: return tr("Weight shape");
        case Params: return tr("Params");
        case Macs: return tr("MACs");
        case OutputShape: return tr("Output shape");
        case WeightBytes: return tr("Weight size");
        case Pruned: return tr("Pruned");
        case Bits: return tr("Bits");
        case Activations: return tr("Inputs");
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case Name: return tr("The name of the node that carries the layer's weights.");
        case Op: return tr("The operator of the layer, and the BatchNormalization attached to it, if any.");
        case WeightShape: return tr("Dimensions of the weight tensor, as stored in the file.");
        case Params: return tr("Elements of the layer's weight and bias.");
        case Macs: return tr("Multiply-accumulates of the convolution or matrix product, at batch size 1.");
        case OutputShape: return tr("Dimensions of the layer's output, before an attached BatchNormalization.");
        case WeightBytes: return tr("Bytes of the layer's weight and bias at their stored type, or under the plan at "
                                    "its smallest encoding (1 MB = 10^6 bytes).");
        case Pruned: return tr("Share of the layer's filters the plan removes; editable.");
        case Bits: return tr("Bits per weight under the plan; editable.");
        case Activations: return tr("The layer's input activations under the plan: float or 8-bit; editable.");
        default: return {};
        }
    }
    if (role == Qt::TextAlignmentRole && (section == Params || section == Macs || section == WeightBytes))
        return QVariant((Qt::AlignRight | Qt::AlignVCenter).toInt());
    return {};
}

QVariant LayerTableModel::displayData(int row, int column) const
{
    const Layer& layer = m_cost->layers()[static_cast<size_t>(row)];
    const NodeCost& cost = m_cost->forLayer(row);
    switch (column) {
    case Name: return fromStd(layer.name);
    case Op: return opText(row);
    case WeightShape: return shapeText(layer.weightShape);
    case Params: return format::count(layerStats(row) ? layerStats(row)->params : cost.params);
    case Macs: return format::count(layerStats(row) ? layerStats(row)->linearMacs : cost.linearMacs);
    case OutputShape: return outputShapeText(row);
    case WeightBytes: return format::bytes(layerStats(row) ? layerStats(row)->encodedBytes : cost.weightBytes);
    default: return {};
    }
}

QVariant LayerTableModel::sortData(int row, int column) const
{
    const Layer& layer = m_cost->layers()[static_cast<size_t>(row)];
    const NodeCost& cost = m_cost->forLayer(row);
    switch (column) {
    case Name: return fromStd(layer.name);
    case Op: return opText(row);
    case WeightShape: return elementCount(layer.weightShape);
    case Params: return qlonglong{layerStats(row) ? layerStats(row)->params : cost.params};
    case Macs: return qlonglong{layerStats(row) ? layerStats(row)->linearMacs : cost.linearMacs};
    case OutputShape: {
        const TensorInfo* info = m_model->tensor(layer.output);
        return info ? qlonglong{info->numElements().value_or(-1)} : qlonglong{-1};
    }
    case WeightBytes: return qlonglong{layerStats(row) ? layerStats(row)->encodedBytes : cost.weightBytes};
    default: return {};
    }
}

QVariant LayerTableModel::toolTip(int row, int column) const
{
    const Layer& layer = m_cost->layers()[static_cast<size_t>(row)];
    const NodeCost& cost = m_cost->forLayer(row);
    switch (column) {
    case Name: {
        QString tip = tr("Node: %1\nWeight: %2").arg(fromStd(layer.name), fromStd(layer.weight));
        if (!layer.bias.empty())
            tip += tr("\nBias: %1").arg(fromStd(layer.bias));
        if (layer.batchNorm >= 0)
            tip += tr("\nBatchNormalization: %1").arg(fromStd(m_model->node(layer.batchNorm).name));
        return tip;
    }
    case Op:
        return tr("%1 node, %2 output channels, %3 input channels")
            .arg(fromStd(m_model->node(layer.node).opType))
            .arg(format::count(layer.outChannels), format::count(layer.inChannels));
    case WeightShape:
        return tr("%1: %2 (%3 elements)")
            .arg(fromStd(layer.weight), fromStd(shapeToString(layer.weightShape)),
                 format::count(elementCount(layer.weightShape)));
    case Params: {
        QString tip = tr("%1 parameters").arg(format::count(cost.params));
        const auto& nodes = m_cost->nodes();
        if (layer.batchNorm >= 0 && static_cast<size_t>(layer.batchNorm) < nodes.size())
            tip += tr("\nThe attached BatchNormalization adds %1 more.")
                       .arg(format::count(nodes[static_cast<size_t>(layer.batchNorm)].params));
        return tip;
    }
    case Macs:
        return tr("%1 multiply-accumulates").arg(format::count(cost.linearMacs));
    case OutputShape: {
        const TensorInfo* info = m_model->tensor(layer.output);
        if (!info || !info->hasShape)
            return tr("%1: shape unknown").arg(fromStd(layer.output));
        return tr("%1: %2 %3").arg(fromStd(layer.output), fromStd(elemTypeName(info->elemType)),
                                   fromStd(shapeToString(info->shape)));
    }
    case WeightBytes:
        return format::exactBytes(cost.weightBytes);
    default:
        return {};
    }
}

QString LayerTableModel::opText(int row) const
{
    const Layer& layer = m_cost->layers()[static_cast<size_t>(row)];
    QString text = QString::fromLatin1(layerKindName(layer.kind));
    if (layer.isDepthwise())
        text = tr("%1 (depthwise)").arg(text);
    else if (layer.group > 1)
        text = tr("%1 (%2 groups)").arg(text).arg(layer.group);
    if (layer.batchNorm >= 0)
        text = tr("%1 + BN").arg(text);
    return text;
}

QString LayerTableModel::outputShapeText(int row) const
{
    const Layer& layer = m_cost->layers()[static_cast<size_t>(row)];
    const TensorInfo* info = m_model->tensor(layer.output);
    if (!info || !info->hasShape)
        return tr("unknown");
    return shapeText(info->shape);
}

} // namespace topiary
