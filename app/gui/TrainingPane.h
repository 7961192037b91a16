// The window's training commands, which run in the trainer process: Analyze > Fine-tune…
// (FinetuneDialog with its FinetuneRunner) and Analyze > Taylor Importance (TaylorRunner).
// MainWindow adds the actions to its menu and asks confirmClose() before it closes, so a
// training run is never ended without the user saying so.
#pragma once

#include "FinetuneRunner.h"
#include "TaylorRunner.h"

#include <QObject>

#include <functional>

class QAction;
class QWidget;

namespace topiary {

class Document;
class FinetuneDialog;

class TrainingPane : public QObject {
    Q_OBJECT

public:
    TrainingPane(Document* document, QWidget* window);

    QAction* finetuneAction() const { return m_finetuneAction; }
    QAction* taylorAction() const { return m_taylorAction; }
    FinetuneRunner* finetuneRunner() const { return m_finetune; }
    TaylorRunner* taylorRunner() const { return m_taylor; }
    FinetuneDialog* dialog(); // created on first use
    void showDialog();

    // Before the window closes: true when nothing trains, or the user agreed to stop it
    // (then it is stopped). The question is a message box unless a test replaces it.
    bool confirmClose();
    using CloseQuestion = std::function<bool()>;
    void setCloseQuestion(CloseQuestion question) { m_askClose = std::move(question); }
    void retranslateUi();

signals:
    void message(const QString& text, int timeoutMs);
    void openRequested(const QString& file);

private:
    Document* m_document;
    QWidget* m_window;
    FinetuneRunner* m_finetune;
    TaylorRunner* m_taylor;
    FinetuneDialog* m_dialog = nullptr;
    QAction* m_finetuneAction;
    QAction* m_taylorAction;
    CloseQuestion m_askClose;
};

} // namespace topiary
