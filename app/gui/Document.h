// The document: the one model the window shows, with its cost analysis, where it came
// from, and the plan the user is editing with the stats it gives. Views read it and
// listen to modelChanged and planChanged; nothing else holds a copy of the truth.
// Every edit of the plan goes through the undo stack (PlanCommand), so it can be undone.
#pragma once

#include "core/plan/Plan.h"
#include "core/plan/Project.h"
#include "core/analysis/Stats.h"

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
struct DependencyGroup;

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
    // edit with open = false ends the gesture.
    void editPlan(const Plan& plan, const QString& text, int mergeKey = -1, bool open = false);
    // Shorthand for a one-off edit, kept for callers that have no label.
    void setPlan(const Plan& plan) { editPlan(plan, tr("Change plan")); }
    QUndoStack* undoStack() const { return m_undo; }
    // True when the plan differs from the one last saved (markSaved) or loaded.
    bool isModified() const { return !m_undo->isClean(); }
    void markSaved() { m_undo->setClean(); }
    // The session as a project: model, plan and every step of the history (with the
    // evaluations the caller has for those plans); dataset fields are the caller's.
    Project snapshot(const std::function<std::optional<HistoryEvaluation>(const Plan&)>& evaluationOf) const;
    // Replays a project's history onto the loaded model as undo steps and makes its
    // current step (and then its plan) the shown one.
    void restore(const Project& project);
    const FileFingerprint& fingerprint() const { return m_contents.fingerprint; }
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

signals:
    void modelChanged();
    void planChanged();

private:
    LoadedModel m_contents;
    Plan m_plan;
    QUndoStack* m_undo = nullptr;
    ModelStats m_original;
    ModelStats m_current;
};

} // namespace topiary
