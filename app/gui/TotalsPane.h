// The Totals dock: original → current params, MACs, sizes and memory of the Document's
// plan (TotalsPanel), and the live accuracy estimate on the Document's dataset, which
// LiveEvaluation re-runs as the plan changes. Completed evaluations go to the Document
// (history, projects, Pareto). Below the numbers, the Recover section (RecoverySection).
#pragma once

#include <QObject>

class QWidget;

namespace topiary {

class Document;
class LiveEvaluation;
class RecoverySection;
class TotalsPanel;

class TotalsPane : public QObject {
    Q_OBJECT

public:
    // The panel is a child of `window`, for the window to place in a dock.
    TotalsPane(Document* document, QWidget* window);

    LiveEvaluation* evaluation() const { return m_evaluation; }
    TotalsPanel* panel() const { return m_panel; }
    // What the dock shows: the panel and the Recover section.
    QWidget* widget() const { return m_widget; }
    RecoverySection* recovery() const { return m_recovery; }

signals:
    void message(const QString& text, int timeoutMs);
    // The accuracy row's link: the user wants to see or change the data and its preprocessing.
    void datasetRequested();

private:
    void showModel();
    void showEvaluation();
    QString dataNote(bool& warning) const;

    Document* m_document;
    QWidget* m_widget;
    TotalsPanel* m_panel;
    LiveEvaluation* m_evaluation;
    RecoverySection* m_recovery = nullptr;
};

} // namespace topiary
