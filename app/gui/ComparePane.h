// The Compare Criteria dock (Analyze > Compare Criteria…): the selected layer's filters
// ranked by L1, L2, FPGM, APoZ and BN scale with the current plan as base, and on request
// the accuracy of pruning it by each on the Document's dataset. The work runs in a
// CriteriaComparisonRunner; this pane follows the Document (selection, plan, model, the
// activation counts that make APoZ available) while it is shown.
#pragma once

#include <QWidget>

#include <cstdint>

namespace topiary {

class CriteriaComparisonRunner;
class CriteriaComparisonView;
class Document;

class ComparePane : public QWidget {
    Q_OBJECT

public:
    explicit ComparePane(Document* document, QWidget* parent = nullptr);

    CriteriaComparisonRunner* runner() const { return m_runner; }
    CriteriaComparisonView* view() const { return m_view; }
    // Ranks the selected layer's filters again (only while shown: FPGM is not free).
    void refresh();
    // Measures the selected layer pruned by each criterion on up to imageLimit images;
    // false (with the reason in the view) without a layer or a dataset.
    bool measure(int64_t imageLimit = 500);

signals:
    // The window shows and raises the dock holding this pane.
    void showRequested();
    void message(const QString& text, int timeoutMs);

private:
    Document* m_document;
    CriteriaComparisonRunner* m_runner = nullptr;
    CriteriaComparisonView* m_view = nullptr;
};

} // namespace topiary
