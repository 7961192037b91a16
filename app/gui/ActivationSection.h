// The inspector's 8-bit activations: connects the Document's plan, the activation controls
// of the LayerInspector (bits and scheme per layer, the plan's calibration method), the
// ActivationCalibrationRunner that calibrates missing ranges on the dataset on a worker,
// and the activation histogram of the selected layer. A choice is an undoable plan edit;
// calibrated ranges join the plan that lacked them without an undo step of their own
// (Document::setCalibratedRanges), so undoing the edit that needed them is one step.
#pragma once

#include "core/plan/Plan.h"

#include <QObject>
#include <QString>

#include <string>

namespace topiary {

class ActivationCalibrationRunner;
class Document;
class LayerInspector;

class ActivationSection : public QObject {
    Q_OBJECT

public:
    ActivationSection(Document* document, LayerInspector* inspector, QObject* parent);

    ActivationCalibrationRunner* runner() const { return m_runner; }
    // `plan` with `spec` on the layer's input activations; when no 8-bit activation is
    // left, without ranges (the method stays). The table edits through it too.
    static Plan withActivation(const Plan& plan, const std::string& layer, const ActivationSpec& spec);
    // Undo text of such an edit.
    static QString editText(const std::string& layer, const ActivationSpec& spec);
    // The edits the controls make (public for tests and menus).
    void editActivation(const ActivationSpec& spec);
    void editCalibrationMethod(CalibrationMethod method);

signals:
    void message(const QString& text, int timeoutMs);

private:
    void planChanged();
    void showStatus();
    void showHistogram();

    Document* m_document;
    LayerInspector* m_inspector;
    ActivationCalibrationRunner* m_runner;
    QString m_status; // the last thing calibration said, when not running
};

} // namespace topiary
