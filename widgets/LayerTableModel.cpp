#include "widgets/LayerTableModel.h"

#include "widgets/NumberFormat.h"

#include "core/CostModel.h"
#include "core/Model.h"

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
    endResetModel();
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
    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, column);
    case SortRole:
        return sortData(row, column);
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::TextAlignmentRole:
        if (column == Params || column == Macs || column == WeightBytes)
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
        case WeightBytes: return tr("Bytes of the layer's weight and bias at their stored type (1 MB = 10^6 bytes).");
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
    case Params: return format::count(cost.params);
    case Macs: return format::count(cost.linearMacs);
    case OutputShape: return outputShapeText(row);
    case WeightBytes: return format::bytes(cost.weightBytes);
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
    case Params: return qlonglong{cost.params};
    case Macs: return qlonglong{cost.linearMacs};
    case OutputShape: {
        const TensorInfo* info = m_model->tensor(layer.output);
        return info ? qlonglong{info->numElements().value_or(-1)} : qlonglong{-1};
    }
    case WeightBytes: return qlonglong{cost.weightBytes};
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
