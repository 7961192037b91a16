// The Totals dock's Recover section: connects the Document's plan (its recovery part),
// the RecoveryControls that show and switch it, the RecoveryRunner that repairs and
// evaluates the plan on a worker, and the live estimate (the accuracy as compressed). A
// switch or method change is an undoable plan edit; each recovered evaluation goes to the
// Document (history, Pareto, where it is marked as recovered).
#pragma once

#include <QObject>

class QWidget;

namespace topiary {

class Document;
class LiveEvaluation;
class RecoveryControls;
class RecoveryRunner;

class RecoverySection : public QObject {
    Q_OBJECT

public:
    // The controls are a child of `parent`, for the pane to place.
    RecoverySection(Document* document, LiveEvaluation* evaluation, QWidget* parent);

    RecoveryControls* controls() const { return m_controls; }
    RecoveryRunner* runner() const { return m_runner; }

signals:
    void message(const QString& text, int timeoutMs);

private:
    void showAccuracy();

    Document* m_document;
    LiveEvaluation* m_evaluation;
    RecoveryControls* m_controls;
    RecoveryRunner* m_runner;
};

} // namespace topiary
