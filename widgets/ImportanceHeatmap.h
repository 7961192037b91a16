// Which filters of a layer matter: the kernel-L1 heatmap (filters as rows, input channels
// as columns, with a colour scale), a side bar of the chosen criterion's per-filter
// score aligned to the rows, the filters the plan prunes struck out (a line across the
// row, a grey bar), and a second view of how the criteria disagree (criteria × filters,
// marked where a criterion would prune, with their pairwise overlap). Draws values the
// core computed (LayerInspection pieces); never computes a score.
#pragma once

#include "core/plan/CompressionSpec.h"
#include "core/compress/Importance.h"
#include "core/analysis/LayerInspection.h"

#include "widgets/PlotWidget.h"

#include <span>
#include <vector>

class QComboBox;
class QCustomPlot;
class QCPAxisRect;
class QCPBars;
class QCPColorMap;
class QCPColorScale;
class QCPCurve;
class QCPItemText;
class QCPTextElement;
class QLabel;
class QTabWidget;

namespace topiary {

class ImportanceHeatmap : public PlotWidget {
    Q_OBJECT

public:
    enum class View { Kernels, Disagreement };

    explicit ImportanceHeatmap(QWidget* parent = nullptr);
    QSize sizeHint() const override { return {480, 400}; }

    // criteria: as LayerInspection::criteria (absent scores disable their entry in the
    // selector, with the reason as tooltip). keptFilters: 1 = kept, 0 = the plan prunes it.
    // An unchanged kernel matrix is not redrawn, so refreshing after a plan edit is cheap.
    void setData(const KernelMatrix& kernels, std::span<const CriterionScores> criteria, const Mask& keptFilters,
                 const Disagreement& disagreement);
    void clear();

    // The criterion whose scores the side bar shows; setting it never emits.
    Criterion criterion() const { return m_criterion; }
    void setCriterion(Criterion criterion);

    View view() const;
    void setView(View view);

    // Writes the current view to a .png, .svg or .pdf file (by extension); false on failure.
    bool saveImage(const QString& path);

    // What is drawn, for tests and accessibility.
    std::vector<int> struckOutRows() const;
    std::vector<double> sideBarValues() const;  // per filter, in row order (NaN: no score)
    int greySideBarCount() const;
    int disagreementMarks() const;  // grid cells marked "would prune", plan row included
    QString overlapText(int a, int b) const;  // the number shown for criteria a, b of the table
    QComboBox* criterionBox() const { return m_selector; }
    QCustomPlot* kernelPlot() const { return m_kernelPlot; }
    QCustomPlot* disagreementPlot() const { return m_gridPlot; }
    // The filter whose row (heatmap or side bar) is under pos in kernelPlot() coordinates,
    // -1 if none.
    int filterAt(const QPoint& pos) const;

signals:
    // The user picked another criterion for the side bar.
    void criterionChanged(Criterion criterion);
    // "Show where filter k goes" from a filter row's context menu: the app animates the
    // filter's removal through the graph.
    void traceRequested(int filter);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    void buildKernelPlot();
    void buildGridPlot();
    void updateSelector();
    void updateKernels(const KernelMatrix& kernels);
    void updateStrikes();
    void updateSideBar();
    void updateGrid();
    void onSelectorActivated(int index);
    void addActionsBeforeSave(QMenu& menu, QCustomPlot* plot, const QPoint& pos) override;
    QString saveName(QCustomPlot* plot) const override;
    QString criterionName(Criterion criterion) const;
    QString criterionAxisLabel(Criterion criterion) const;

    QLabel* m_selectorLabel = nullptr;
    QComboBox* m_selector = nullptr;
    QLabel* m_note = nullptr;  // the side bar's criterion: why it is missing, or the pruned count
    QTabWidget* m_tabs = nullptr;

    QCustomPlot* m_kernelPlot = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPCurve* m_strikes = nullptr;
    QCPAxisRect* m_sideRect = nullptr;
    QCPBars* m_sideKept = nullptr;
    QCPBars* m_sidePruned = nullptr;
    QCPItemText* m_sideNote = nullptr;

    QCustomPlot* m_gridPlot = nullptr;
    QCPTextElement* m_gridTitle = nullptr;
    QCPAxisRect* m_gridRect = nullptr;
    QCPColorMap* m_grid = nullptr;
    QCPAxisRect* m_overlapRect = nullptr;
    QCPColorMap* m_overlap = nullptr;
    std::vector<QCPItemText*> m_overlapTexts;

    Criterion m_criterion = Criterion::L1;
    int64_t m_rows = 0;
    int64_t m_cols = 0;
    std::vector<float> m_kernelValues;  // what the map shows, to skip unchanged redraws
    std::vector<CriterionScores> m_criteria;
    Mask m_kept;
    std::vector<Criterion> m_gridCriteria;
    std::vector<Mask> m_gridKeep;
    std::vector<std::vector<double>> m_jaccard;
    double m_gridRatio = 0.0;
};

} // namespace topiary
