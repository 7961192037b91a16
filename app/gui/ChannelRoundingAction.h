// Edit > Keep Channel Counts Multiples of 8: the plan option that rounds every filter-pruned
// group's kept channels up to a multiple of 8 (PlanOptions::roundChannels). Runtimes'
// blocked convolution kernels (ONNX Runtime's NCHWc on AVX2, for one) need aligned widths:
// a shrunk export with widths like 23 can run slower than the unpruned model. A checkable
// action, an undoable plan edit, kept in step with the plan (undo, recipes, projects).
#pragma once

#include <QObject>

class QAction;
class QWidget;

namespace topiary {

class Document;

class ChannelRoundingAction : public QObject {
    Q_OBJECT

public:
    ChannelRoundingAction(Document* document, QWidget* window);

    QAction* action() const { return m_action; }
    void retranslateUi();

private:
    void sync();
    void toggle(bool on);

    Document* m_document;
    QAction* m_action;
};

} // namespace topiary
