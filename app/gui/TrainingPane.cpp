#include "TrainingPane.h"

#include "Document.h"
#include "FinetuneDialog.h"

#include "core/data/Dataset.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMessageBox>
#include <QWidget>

namespace topiary {

namespace {
constexpr int statusTimeoutMs = 5000;
}

TrainingPane::TrainingPane(Document* document, QWidget* window)
    : QObject(window)
    , m_document(document)
    , m_window(window)
    , m_finetune(new FinetuneRunner(document, this))
    , m_taylor(new TaylorRunner(document, this))
    , m_finetuneAction(new QAction(this))
    , m_taylorAction(new QAction(this))
{
    m_finetuneAction->setObjectName(QStringLiteral("finetuneAction"));
    m_taylorAction->setObjectName(QStringLiteral("taylorAction"));
    connect(m_finetuneAction, &QAction::triggered, this, &TrainingPane::showDialog);
    connect(m_taylorAction, &QAction::triggered, this, [this] {
        if (m_taylor->run())
            emit message(tr("Computing Taylor importance in the trainer…"), 0);
    });
    connect(m_taylor, &TaylorRunner::progress, this, [this](int batch, int batches) {
        emit message(tr("Taylor importance: batch %1 of %2").arg(batch).arg(batches), 0);
    });
    connect(m_taylor, &TaylorRunner::finished, this,
        [this](bool, const QString& text) { emit message(text, statusTimeoutMs); });
    connect(m_finetune, &FinetuneRunner::finished, this,
        [this](bool, const QString& text) { emit message(text, statusTimeoutMs); });
    auto enable = [this] {
        m_finetuneAction->setEnabled(!m_document->isEmpty());
        m_taylorAction->setEnabled(!m_document->isEmpty());
    };
    connect(m_document, &Document::modelChanged, this, enable);
    enable();
    retranslateUi();
}

FinetuneDialog* TrainingPane::dialog()
{
    if (!m_dialog) {
        m_dialog = new FinetuneDialog(m_finetune, m_window);
        connect(m_dialog, &FinetuneDialog::openRequested, this, &TrainingPane::openRequested);
    }
    return m_dialog;
}

void TrainingPane::showDialog()
{
    FinetuneDialog* d = dialog();
    FinetuneSettings s = d->settings();
    // The document's images validate; the result goes beside the model unless chosen.
    if (s.valData.isEmpty() && m_document->dataset())
        s.valData = QString::fromStdString(m_document->dataset()->source().string());
    if (s.output.isEmpty() && !m_document->isEmpty()) {
        const QFileInfo model(m_document->path());
        const QString dir = m_document->isBundled() ? QDir::homePath() : model.absolutePath();
        s.output = QDir(dir).filePath(model.completeBaseName() + QStringLiteral("-finetuned.onnx"));
    }
    d->setSettings(s);
    // With Recover on, the trainer repairs the student before its first step (as the
    // window's recovered estimate): say so, and that it calibrates on the training images.
    const RecoverySpec& recovery = m_document->plan().recovery();
    d->setStartNote(recovery.any()
            ? tr("Recover is on: training starts from the recovered weights (%1 on %2 calibration images "
                 "of %3), not from the bare cut. Use one pruning round and a small learning rate "
                 "(e.g. 0.001) to keep what recovery gave.")
                  .arg(QString::fromStdString(recoveryMethodsText(recovery)))
                  .arg(recovery.calibrationImages)
                  .arg(recovery.source.empty() ? tr("the training data")
                                               : QFileInfo(QString::fromStdString(recovery.source)).fileName())
            : QString());
    d->show();
    d->raise();
    d->activateWindow();
}

bool TrainingPane::confirmClose()
{
    if (!m_finetune->isRunning() && !m_taylor->isRunning())
        return true;
    const bool stop = m_askClose ? m_askClose()
                                 : QMessageBox::question(m_window, tr("Training Is Running"),
                                       tr("The trainer is still working. Stop it and close? The last checkpoint is "
                                          "kept."))
            == QMessageBox::Yes;
    if (!stop)
        return false;
    m_finetune->stop();
    m_taylor->cancel();
    return true;
}

void TrainingPane::retranslateUi()
{
    m_finetuneAction->setText(tr("&Fine-tune…"));
    m_finetuneAction->setStatusTip(tr("Train the model under the plan to win accuracy back (in the trainer process)"));
    m_taylorAction->setText(tr("&Taylor Importance"));
    m_taylorAction->setStatusTip(
        tr("Rank filters by |w · ∂L/∂w| from gradients on the dataset's labelled images (in the trainer process)"));
}

} // namespace topiary
