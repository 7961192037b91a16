// The Layers tab: every layer with its size and cost under the plan, sortable, with
// Pruned and Bits edited in place (each edit a plan edit of the Document, refused with
// the reason when the model cannot take it), and its current row kept on the Document's
// selected layer both ways.
#pragma once

#include <QTableView>

class QSortFilterProxyModel;

namespace topiary {

class Document;
class LayerTableModel;

class LayerTablePane : public QTableView {
    Q_OBJECT

public:
    explicit LayerTablePane(Document* document, QWidget* parent = nullptr);

private:
    void showModel();
    void showSelection(int layer);
    void editPruneRatio(int layer, double ratio);
    void editBits(int layer, int bits);

    Document* m_document;
    LayerTableModel* m_model = nullptr;
    QSortFilterProxyModel* m_proxy = nullptr;
};

} // namespace topiary
