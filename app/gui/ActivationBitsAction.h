// Edit > 8-bit Activations but First and Last Layer: the global edit that quantizes every
// layer's input activations to uint8 (asymmetric, per tensor), except the first and last
// layer in graph order, where 8-bit inputs cost the most accuracy (the stem reads the
// image, the classifier decides). One undoable plan edit; the ranges are then calibrated
// on the dataset (ActivationCalibrationRunner) before the live estimate runs.
#pragma once

#include <QObject>

class QAction;
class QWidget;

namespace topiary {

class Document;

class ActivationBitsAction : public QObject {
    Q_OBJECT

public:
    ActivationBitsAction(Document* document, QWidget* window);

    QAction* action() const { return m_action; }
    void retranslateUi();
    // The edit itself (the action's trigger); false when refused or nothing changes.
    bool quantizeAll();

private:
    Document* m_document;
    QAction* m_action;
};

} // namespace topiary
