#include "FinetuneDialog.h"

#include <qcustomplot.h>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

namespace topiary {

namespace {

QString durationText(double seconds)
{
    const auto s = static_cast<qint64>(std::llround(std::max(0.0, seconds)));
    if (s >= 3600)
        return FinetuneDialog::tr("%1 h %2 min left").arg(s / 3600).arg((s % 3600) / 60);
    if (s >= 60)
        return FinetuneDialog::tr("%1 min %2 s left").arg(s / 60).arg(s % 60);
    return FinetuneDialog::tr("%1 s left").arg(s);
}

} // namespace

FinetuneDialog::FinetuneDialog(FinetuneRunner* runner, QWidget* parent)
    : QDialog(parent)
    , m_runner(runner)
{
    setObjectName(QStringLiteral("finetuneDialog"));
    setWindowTitle(tr("Fine-tune"));
    auto* form = new QFormLayout;
    auto fileRow = [this, form](QLineEdit*& edit, const QString& label, const char* name, bool save) {
        edit = new QLineEdit(this);
        edit->setObjectName(QLatin1String(name));
        auto* browseButton = new QToolButton(this);
        browseButton->setText(QStringLiteral("…"));
        connect(browseButton, &QToolButton::clicked, this, [this, edit, save] { browse(edit, save); });
        auto* row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(browseButton);
        form->addRow(label, row);
        connect(edit, &QLineEdit::textChanged, this, &FinetuneDialog::updateButtons);
    };
    fileRow(m_train, tr("&Training data:"), "trainData", false);
    fileRow(m_val, tr("&Validation data:"), "valData", false);
    m_limit = new QSpinBox(this);
    m_limit->setRange(0, 100000000);
    m_limit->setSpecialValueText(tr("all"));
    m_limit->setToolTip(tr("Train on a random subset of this many images (0 = all)"));
    form->addRow(tr("Training &images:"), m_limit);
    m_epochs = new QSpinBox(this);
    m_epochs->setRange(1, 1000);
    form->addRow(tr("&Epochs:"), m_epochs);
    m_rounds = new QSpinBox(this);
    m_rounds->setRange(1, 100);
    m_rounds->setToolTip(tr("Iterative pruning: prune a little, fine-tune, prune more, to the plan's ratios"));
    form->addRow(tr("Pruning &rounds:"), m_rounds);
    m_batch = new QSpinBox(this);
    m_batch->setRange(2, 4096);
    form->addRow(tr("&Batch size:"), m_batch);
    m_optimizer = new QComboBox(this);
    m_optimizer->addItems({ QStringLiteral("SGD (momentum 0.9)"), QStringLiteral("Adam") });
    form->addRow(tr("&Optimizer:"), m_optimizer);
    m_lr = new QDoubleSpinBox(this);
    m_lr->setDecimals(5);
    m_lr->setRange(0.00001, 10.0);
    m_lr->setSingleStep(0.001);
    form->addRow(tr("&Learning rate:"), m_lr);
    m_distill = new QCheckBox(tr("&Distil from the original model"), this);
    form->addRow(m_distill);
    m_temperature = new QDoubleSpinBox(this);
    m_temperature->setRange(0.1, 100.0);
    m_alpha = new QDoubleSpinBox(this);
    m_alpha->setRange(0.0, 1.0);
    m_alpha->setSingleStep(0.1);
    auto* kd = new QHBoxLayout;
    kd->addWidget(new QLabel(QStringLiteral("T"), this));
    kd->addWidget(m_temperature);
    kd->addWidget(new QLabel(QStringLiteral("α"), this));
    kd->addWidget(m_alpha);
    form->addRow(tr("Distillation:"), kd);
    connect(m_distill, &QCheckBox::toggled, m_temperature, &QWidget::setEnabled);
    connect(m_distill, &QCheckBox::toggled, m_alpha, &QWidget::setEnabled);
    fileRow(m_output, tr("&Write to:"), "output", true);
    fileRow(m_resume, tr("Resume &from:"), "resume", false);
    m_resume->setPlaceholderText(tr("a checkpoint (optional)"));

    m_plot = new QCustomPlot(this);
    m_plot->setObjectName(QStringLiteral("trainingPlot"));
    m_plot->setMinimumSize(420, 260);
    m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_plot->graph(0)->setName(tr("training loss"));
    m_plot->graph(0)->setPen(QPen(QColor(59, 120, 176), 1.5));
    m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_plot->graph(1)->setName(tr("validation top-1 (%)"));
    m_plot->graph(1)->setPen(QPen(QColor(214, 96, 40), 2));
    m_plot->graph(1)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));
    m_plot->xAxis->setLabel(tr("epoch"));
    m_plot->yAxis->setLabel(tr("training loss"));
    m_plot->yAxis2->setLabel(tr("validation top-1 (%)"));
    m_plot->yAxis2->setVisible(true);
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignHCenter);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_timeLeft = new QLabel(this);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setObjectName(QStringLiteral("trainingStatus"));
    auto* right = new QVBoxLayout;
    right->addWidget(m_plot, 1);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_timeLeft);
    right->addLayout(progressRow);
    right->addWidget(m_status);

    auto* buttons = new QDialogButtonBox(this);
    m_start = buttons->addButton(tr("&Start"), QDialogButtonBox::ActionRole);
    m_stop = buttons->addButton(tr("S&top"), QDialogButtonBox::ActionRole);
    m_open = buttons->addButton(tr("&Open as Working Model"), QDialogButtonBox::ActionRole);
    m_export = buttons->addButton(tr("E&xport…"), QDialogButtonBox::ActionRole);
    buttons->addButton(QDialogButtonBox::Close);
    m_start->setObjectName(QStringLiteral("startButton"));
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_open->setObjectName(QStringLiteral("openButton"));
    m_export->setObjectName(QStringLiteral("exportButton"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_start, &QPushButton::clicked, this, &FinetuneDialog::start);
    connect(m_stop, &QPushButton::clicked, m_runner, &FinetuneRunner::stop);
    connect(m_open, &QPushButton::clicked, this, [this] { emit openRequested(m_runner->outputFile()); });
    connect(m_export, &QPushButton::clicked, this, &FinetuneDialog::exportResult);

    auto* top = new QHBoxLayout;
    top->addLayout(form);
    top->addLayout(right, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addWidget(buttons);

    connect(m_runner, &FinetuneRunner::changed, this, &FinetuneDialog::refresh);
    connect(m_runner, &FinetuneRunner::finished, this, &FinetuneDialog::onFinished);
    setSettings(FinetuneSettings {});
    updateButtons();
}

FinetuneSettings FinetuneDialog::settings() const
{
    FinetuneSettings s;
    s.epochs = m_epochs->value();
    s.learningRate = m_lr->value();
    s.adam = m_optimizer->currentIndex() == 1;
    s.distill = m_distill->isChecked();
    s.temperature = m_temperature->value();
    s.alpha = m_alpha->value();
    s.rounds = m_rounds->value();
    s.batchSize = m_batch->value();
    s.trainLimit = m_limit->value();
    s.trainData = m_train->text().trimmed();
    s.valData = m_val->text().trimmed();
    s.output = m_output->text().trimmed();
    s.resume = m_resume->text().trimmed();
    return s;
}

void FinetuneDialog::setSettings(const FinetuneSettings& s)
{
    m_epochs->setValue(s.epochs);
    m_lr->setValue(s.learningRate);
    m_optimizer->setCurrentIndex(s.adam ? 1 : 0);
    m_distill->setChecked(s.distill);
    m_temperature->setValue(s.temperature);
    m_alpha->setValue(s.alpha);
    m_temperature->setEnabled(s.distill);
    m_alpha->setEnabled(s.distill);
    m_rounds->setValue(s.rounds);
    m_batch->setValue(s.batchSize);
    m_limit->setValue(static_cast<int>(s.trainLimit));
    m_train->setText(s.trainData);
    m_val->setText(s.valData);
    m_output->setText(s.output);
    m_resume->setText(s.resume);
}

bool FinetuneDialog::start()
{
    const FinetuneSettings s = settings();
    if (s.trainData.isEmpty() || s.output.isEmpty()) {
        m_status->setText(tr("Choose the training data and where to write the result."));
        return false;
    }
    const bool started = m_runner->start(s);
    updateButtons();
    return started;
}

void FinetuneDialog::setStartNote(const QString& note)
{
    if (m_runner->isRunning())
        return;
    // An empty note clears only an earlier note, not the last run's result.
    if (!note.isEmpty() || m_status->text() == m_startNote)
        m_status->setText(note);
    m_startNote = note;
}

void FinetuneDialog::browse(QLineEdit* edit, bool save)
{
    const QString path = save
        ? QFileDialog::getSaveFileName(this, tr("Write the Fine-tuned Model"), edit->text(), tr("ONNX models (*.onnx)"))
        : QFileDialog::getOpenFileName(this, tr("Choose a File"), edit->text());
    if (!path.isEmpty())
        edit->setText(path);
}

void FinetuneDialog::refresh()
{
    m_plot->graph(0)->setData(m_runner->lossX(), m_runner->loss(), true);
    QVector<double> percent = m_runner->accuracy();
    for (double& v : percent)
        v *= 100.0;
    m_plot->graph(1)->setData(m_runner->accuracyX(), percent, true);
    m_plot->xAxis->setRange(0.0, std::max(1, m_runner->totalEpochs()));
    if (!m_runner->loss().isEmpty()) {
        bool found = false;
        const QCPRange range = m_plot->graph(0)->getValueRange(found);
        m_plot->yAxis->setRange(0.0, std::max(0.1, range.upper * 1.1));
    }
    m_plot->yAxis2->setRange(0.0, 100.0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    m_progress->setValue(static_cast<int>(std::lround(1000.0 * m_runner->fractionDone())));
    m_timeLeft->setText(m_runner->isRunning() && m_runner->secondsLeft() > 0 ? durationText(m_runner->secondsLeft()) : QString());
    m_status->setText(m_runner->status());
    updateButtons();
}

void FinetuneDialog::onFinished(bool, const QString& message)
{
    refresh();
    m_status->setText(message);
    updateButtons();
}

void FinetuneDialog::exportResult()
{
    const QString target = QFileDialog::getSaveFileName(
        this, tr("Export the Fine-tuned Model"), m_runner->outputFile(), tr("ONNX models (*.onnx)"));
    if (target.isEmpty() || target == m_runner->outputFile())
        return;
    QFile::remove(target);
    m_status->setText(QFile::copy(m_runner->outputFile(), target) ? tr("Exported to %1").arg(target)
                                                                  : tr("Could not write %1").arg(target));
}

void FinetuneDialog::updateButtons()
{
    const bool running = m_runner->isRunning();
    const bool result = !running && !m_runner->outputFile().isEmpty();
    m_start->setEnabled(!running && !m_train->text().trimmed().isEmpty() && !m_output->text().trimmed().isEmpty());
    m_stop->setEnabled(running);
    m_open->setEnabled(result);
    m_export->setEnabled(result);
}

} // namespace topiary
