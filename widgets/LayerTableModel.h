// The layers of a loaded model as a table: one row per layer (a node with weights), with
// its op, shapes, params, MACs and weight bytes as the core's CostModel computed them.
// DisplayRole is formatted for people; SortRole carries raw numbers so a
// QSortFilterProxyModel sorts numerically. Three columns are the plan, editable: the share
// of the layer's filters pruned (structured, by L1, through its dependency group), the
// weight bit width and the input activations (float, uint8 or int8); editing one emits a request the application turns into a new
// plan. With a plan, params, MACs and weight size show the layer under the plan.
#pragma once

#include "core/plan/Plan.h"
#include "core/analysis/Stats.h"

#include <QAbstractTableModel>

#include <memory>

namespace topiary {

class Model;
class CostModel;

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { Name, Op, WeightShape, Params, Macs, OutputShape, WeightBytes, Pruned, Bits, Activations, ColumnCount };
    static constexpr int SortRole = Qt::UserRole;

    explicit LayerTableModel(QObject* parent = nullptr);
    ~LayerTableModel() override;

    // Shows the layers of cost, taking shapes from model; both are kept alive by the
    // table. Null pointers empty the table.
    void setModel(std::shared_ptr<const Model> model, std::shared_ptr<const CostModel> cost);

    // The plan and the stats of the model under it (stats: one LayerStats per layer).
    void setPlan(const Plan& plan, const ModelStats& stats);
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    // Pruned takes a percentage in [0, 95], Bits 2..16 or 32 (float), Activations "float"
    // (or 32), "uint8" (or 8, u8) or "int8" (s8, i8); the request is
    // emitted, the cell changes when the application sets the new plan.
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

signals:
    void pruneRatioEdited(int layer, double ratio);
    void bitsEdited(int layer, int bits);
    void activationEdited(int layer, const topiary::ActivationSpec& spec);

private:
    const LayerStats* layerStats(int row) const;
    QVariant planData(int row, int column, int role) const;
    QVariant displayData(int row, int column) const;
    QVariant sortData(int row, int column) const;
    QVariant toolTip(int row, int column) const;
    QString opText(int row) const;
    QString outputShapeText(int row) const;

    std::shared_ptr<const Model> m_model;
    std::shared_ptr<const CostModel> m_cost;
    Plan m_plan;
    ModelStats m_stats; // layers empty = no plan shown yet
};

} // namespace topiary
