// Analyze > Fine-tune…: the training options (epochs, learning rate, optimizer,
// distillation T and α, iterative rounds, batch, training and validation data, output),
// Start and Stop, and while the trainer runs a live plot of the training loss and the
// validation accuracy with the time left. When it is done the fine-tuned file can be
// opened as the working model or exported (copied) elsewhere. The run itself is the
// FinetuneRunner's; this dialog only asks and shows.
#pragma once

#include "FinetuneRunner.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace topiary {

class FinetuneDialog : public QDialog {
    Q_OBJECT

public:
    FinetuneDialog(FinetuneRunner* runner, QWidget* parent = nullptr);

    FinetuneSettings settings() const;
    void setSettings(const FinetuneSettings& settings);
    bool start(); // as the Start button: false when the options are incomplete
    // What the dialog says before a run: where training starts from (the plan as set up
    // now). Not shown while a run is under way; "" takes an earlier note back.
    void setStartNote(const QString& note);
    QCustomPlot* plot() const { return m_plot; }

signals:
    void openRequested(const QString& file); // "Open as working model"

private:
    void browse(QLineEdit* edit, bool save);
    void refresh();
    void onFinished(bool ok, const QString& message);
    void exportResult();
    void updateButtons();

    FinetuneRunner* m_runner;
    QSpinBox* m_epochs = nullptr;
    QDoubleSpinBox* m_lr = nullptr;
    QComboBox* m_optimizer = nullptr;
    QCheckBox* m_distill = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QDoubleSpinBox* m_alpha = nullptr;
    QSpinBox* m_rounds = nullptr;
    QSpinBox* m_batch = nullptr;
    QSpinBox* m_limit = nullptr;
    QLineEdit* m_train = nullptr;
    QLineEdit* m_val = nullptr;
    QLineEdit* m_output = nullptr;
    QLineEdit* m_resume = nullptr;
    QCustomPlot* m_plot = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_timeLeft = nullptr;
    QString m_startNote; // the note setStartNote last showed
    QLabel* m_status = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_open = nullptr;
    QPushButton* m_export = nullptr;
};

} // namespace topiary
