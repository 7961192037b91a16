// The layers of a loaded model as a table: one row per layer (a node with weights), with
// its op, shapes, params, MACs and weight bytes as the core's CostModel computed them.
// DisplayRole is formatted for people; SortRole carries raw numbers so a
// QSortFilterProxyModel sorts numerically.
#pragma once

#include <QAbstractTableModel>

#include <memory>

namespace topiary {

class Model;
class CostModel;

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Name, Op, WeightShape, Params, Macs, OutputShape, WeightBytes, ColumnCount };
    static constexpr int SortRole = Qt::UserRole;

    explicit LayerTableModel(QObject* parent = nullptr);
    ~LayerTableModel() override;

    // Shows the layers of cost, taking shapes from model; both are kept alive by the
    // table. Null pointers empty the table.
    void setModel(std::shared_ptr<const Model> model, std::shared_ptr<const CostModel> cost);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant displayData(int row, int column) const;
    QVariant sortData(int row, int column) const;
    QVariant toolTip(int row, int column) const;
    QString opText(int row) const;
    QString outputShapeText(int row) const;

    std::shared_ptr<const Model> m_model;
    std::shared_ptr<const CostModel> m_cost;
};

} // namespace topiary
