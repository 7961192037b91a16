// The inspector dock: the selected layer's histogram, importance heatmap and controls
// (LayerInspector, with its 8-bit activations: ActivationSection), its Explain panel (shown in a dock of its own), the Step animation of
// its pruning ratio, and the dataset's activation counts that make APoZ available. The
// inspection is computed off the GUI thread when the selection or the model changes and
// refreshed in place (cheap) when the plan changes; the inspector's gestures become plan
// edits of the Document, a drag becoming one undo step.
#pragma once

#include "core/analysis/LayerInspection.h"

#include <QWidget>

#include <memory>

namespace topiary {

class ActivationSection;
class Document;
class ExplainPanel;
class JobTracker;
class LayerInspector;
class RatioStepper;
class RecoveryNote;
class RecoveryRunner;
struct PruneSpec;

class InspectorPane : public QWidget {
    Q_OBJECT

public:
    explicit InspectorPane(Document* document, QWidget* parent = nullptr);

    LayerInspector* inspector() const { return m_inspector; }
    // For a dock of its own; explained only while visible, and at once when it is shown.
    ExplainPanel* explainPanel() const { return m_explain; }
    void setExplainShown(bool shown);
    RatioStepper* ratioStepper() const { return m_stepper; }
    // The 8-bit activations: their controls, calibration and histogram.
    ActivationSection* activations() const { return m_activationSection; }
    // Help > Trace Filter Removal: the selected layer's least important filter under the
    // heatmap's criterion (else by L1 norm); emits traceRequested.
    void traceLeastImportantFilter();
    // What recovery changed on the selected layer (RecoveryNote), from the runner's last
    // result for the shown plan.
    void setRecoveryRunner(RecoveryRunner* runner);

signals:
    void traceRequested(int layer, int filter);
    void message(const QString& text, int timeoutMs);

private:
    void inspectSelectedLayer();
    void refresh();
    void editPrune(const PruneSpec& spec, bool dragging);
    void dragThreshold(double magnitude, bool dragging);
    void createStep();
    // With a dataset, counts each channel's zero activations (APoZ) on a worker; the
    // Document's scorer then ranks by APoZ too.
    void gatherActivations();
    void showRecovery();

    Document* m_document;
    LayerInspector* m_inspector = nullptr;
    ExplainPanel* m_explain = nullptr;
    RatioStepper* m_stepper = nullptr;
    RecoveryNote* m_recoveryNote = nullptr;
    RecoveryRunner* m_recovery = nullptr;
    ActivationSection* m_activationSection = nullptr;
    bool m_applyingStep = false; // the stepper's own edit: not a reason to stop it
    std::shared_ptr<LayerInspection> m_inspection; // of the selected layer, under the shown plan
    JobTracker* m_inspections = nullptr;
    JobTracker* m_activations = nullptr;
};

} // namespace topiary
