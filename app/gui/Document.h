// The document: the one model the window shows, with its cost analysis, where it came
// from, the plan the user is editing with the stats it gives, and what the panes share:
// the dataset with its preprocessing, the selected layer, the dataset's activation
// statistics (and the filter scorer they give), the plans evaluated this session and
// their Pareto set. Views read it and listen to its change signals; nothing else holds a
// copy of the truth. Every edit of the plan goes through the undo stack (PlanCommand), so
// it can be undone, and is checked against the model first (validatePlan).
#pragma once

#include "core/analysis/ParetoSet.h"
#include "core/analysis/Stats.h"
#include "core/compress/PruneSelection.h"
#include "core/data/Dataset.h"
#include "core/data/Preprocess.h"
#include "core/plan/Plan.h"
#include "core/plan/Project.h"

#include <QObject>
#include <QUndoStack>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace topiary {

class Model;
class CostModel;
struct ActivationStats;
struct DependencyGroup;
struct TaylorScores;
struct EvaluationMetrics;

// A model as the loader hands it over: immutable, shared with the views that show it.
struct LoadedModel {
    std::shared_ptr<const Model> model;
    std::shared_ptr<const CostModel> cost;
    std::shared_ptr<const std::vector<DependencyGroup>> groups;
    std::shared_ptr<const StatsModel> stats; // refers to model, cost and groups
    QString path;          // the file, or a ":/..." resource path
    QString displayName;   // the file name, shown in the title bar
    qint64 fileBytes = 0;  // size of what was parsed
    FileFingerprint fingerprint; // of the file (size -1 for a resource)
};

class Document : public QObject {
    Q_OBJECT

public:
    explicit Document(QObject* parent = nullptr);
    ~Document() override;

    // Replaces the shown model (with an empty plan); emits modelChanged.
    void setContents(LoadedModel contents);
    // The plan being edited, and the stats of the model under it (recomputed on every
    // change: microseconds, no weights read for ratio pruning).
    const Plan& plan() const { return m_plan; }
    // An edit: pushes an undoable step that sets `plan` (nothing when it equals the current
    // one). Edits with the same mergeKey >= 0 merge while `open` (a drag in progress); the
    // edit with open = false ends the gesture. A plan the model cannot take is refused:
    // false, and planRefused says why.
    bool editPlan(const Plan& plan, const QString& text, int mergeKey = -1, bool open = false);
    // Shorthand for a one-off edit, kept for callers that have no label.
    void setPlan(const Plan& plan) { editPlan(plan, tr("Change plan")); }
    QUndoStack* undoStack() const { return m_undo; }
    // True when the plan differs from the one last saved (markSaved) or loaded.
    bool isModified() const { return !m_undo->isClean(); }
    void markSaved() { m_undo->setClean(); }
    // The session is not saved anywhere although its plan matches the history (a recovered
    // session): the title shows `*` and closing asks.
    void markUnsaved() { m_undo->resetClean(); }
    // The session as a project: model, dataset, plan and every step of the history with
    // the evaluations recorded for those plans.
    Project snapshot() const;
    // Replays a project's history onto the loaded model as undo steps and makes its
    // current step (and then its plan) the shown one.
    void restore(const Project& project);
    const FileFingerprint& fingerprint() const { return m_contents.fingerprint; }
    // Calibrated activation ranges for `plan`, the shown plan that lacked them: it takes
    // them, and so do the undo steps next to it, without a step of their own (the edit that
    // needed them stays one step). Nothing when another plan is shown by now.
    void setCalibratedRanges(const Plan& plan, const ActivationRanges& ranges);
    // Sets the shown plan without an undo step; only PlanCommand calls it.
    void showPlan(const Plan& plan);
    const ModelStats& originalStats() const { return m_original; }
    const ModelStats& currentStats() const { return m_current; }
    const std::shared_ptr<const std::vector<DependencyGroup>>& groups() const { return m_contents.groups; }

    bool isEmpty() const { return !m_contents.model; }
    const std::shared_ptr<const Model>& model() const { return m_contents.model; }
    const std::shared_ptr<const CostModel>& cost() const { return m_contents.cost; }
    const std::shared_ptr<const StatsModel>& statsModel() const { return m_contents.stats; }
    const QString& path() const { return m_contents.path; }
    const QString& displayName() const { return m_contents.displayName; }
    qint64 fileBytes() const { return m_contents.fileBytes; }
    bool isBundled() const { return m_contents.path.startsWith(QLatin1Char(':')); }

    // The images every number is measured on (null without), with their preprocessing, and
    // the file they came from ("" for the bundled sample images), and where the
    // preprocessing came from in words ("preprocess.json beside the model"). The images
    // are kept across models; the preprocessing is chosen again for each (SessionFiles).
    void setDataset(Dataset dataset, PreprocessSpec spec, const QString& path, const QString& preprocessFrom = {});
    // No dataset any more (it does not fit the model now shown).
    void clearDataset();
    const std::shared_ptr<const Dataset>& dataset() const { return m_dataset; }
    const PreprocessSpec& preprocess() const { return m_preprocess; }
    const QString& datasetPath() const { return m_datasetPath; }
    const QString& preprocessFrom() const { return m_preprocessFrom; }

    // The layer every view shows as selected (-1: none).
    void selectLayer(int layer);
    int selectedLayer() const { return m_selected; }

    // The dataset's activation statistics (APoZ), once gathered for this model and dataset;
    // the scorer ranks filters by them (and by the weights), cached per layer and criterion.
    void setActivationStats(std::shared_ptr<const ActivationStats> stats);
    const std::shared_ptr<const ActivationStats>& activationStats() const { return m_activationStats; }
    const FilterScorer& scorer() const { return m_scorer; }
    // Taylor importance from the trainer (TaylorRunner) for this model and dataset; the
    // scorer ranks by it too. Dropped with the model.
    void setTaylorScores(std::shared_ptr<const TaylorScores> scores);
    const std::shared_ptr<const TaylorScores>& taylorScores() const { return m_taylorScores; }
    // A fine-tuned result of `plan` (the trainer's file and its top-1 on `images`): a point
    // of the Pareto set labelled as fine-tuned, and a step in the history.
    void recordFinetuned(const Plan& plan, double top1, int64_t images, const QString& file);

    // A plan's evaluation completed: kept for the history and the project (labelled data
    // only) and as a point of the Pareto set when it is the shown plan.
    void recordEvaluation(const Plan& plan, const EvaluationMetrics& metrics);
    // Evaluations restored from a project.
    void addEvaluation(const Plan& plan, const HistoryEvaluation& evaluation);
    std::optional<HistoryEvaluation> evaluationOf(const Plan& plan) const;
    // Every plan evaluated this session as a trade-off point; point ids index paretoPlans().
    const ParetoSet& paretoSet() const { return m_pareto; }
    const std::vector<Plan>& paretoPlans() const { return m_paretoPlans; }
    // The Pareto point of the shown plan, -1 when it has none.
    int currentParetoPoint() const;

signals:
    void modelChanged();
    void planChanged();
    void planRefused(const QString& reason);
    void datasetChanged();
    void selectionChanged(int layer);
    void activationStatsChanged();
    void taylorScoresChanged();
    void evaluationsChanged();
    void paretoChanged();

private:
    void resetScorer();

    LoadedModel m_contents;
    Plan m_plan;
    std::shared_ptr<const Dataset> m_dataset;
    PreprocessSpec m_preprocess;
    QString m_datasetPath;
    QString m_preprocessFrom;
    int m_selected = -1;
    std::shared_ptr<const ActivationStats> m_activationStats;
    std::shared_ptr<const TaylorScores> m_taylorScores;
    FilterScorer m_scorer;
    // Plans evaluated this session, newest last: history entries and projects use them.
    std::vector<std::pair<Plan, HistoryEvaluation>> m_evaluated;
    ParetoSet m_pareto;
    std::vector<Plan> m_paretoPlans; // by point id
    QUndoStack* m_undo = nullptr;
    ModelStats m_original;
    ModelStats m_current;
};

} // namespace topiary
