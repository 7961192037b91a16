#include "ExportDialog.h"

#include "widgets/NumberFormat.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

namespace topiary {

ExportDialog::ExportDialog(const ModelStats& stats, const QString& source, const QString& suggestedPath, QWidget* parent)
    : QDialog(parent)
    , m_stats(stats)
    , m_source(source)
{
    setWindowTitle(tr("Export Compressed Model"));
    auto* form = new QFormLayout;

    m_masked = new QRadioButton(tr("Masked: pruned weights set to zero, shapes unchanged"), this);
    m_masked->setToolTip(tr("Keeps every tensor's shape, so the file can replace the original anywhere."));
    m_shrunk = new QRadioButton(tr("Shrunk: pruned channels removed"), this);
    m_shrunk->setToolTip(tr("Removes pruned filters and every channel coupled with them: smaller and faster."));
    auto* layoutGroup = new QButtonGroup(this);
    layoutGroup->addButton(m_masked);
    layoutGroup->addButton(m_shrunk);
    m_shrunk->setChecked(true);
    auto* layoutBox = new QVBoxLayout;
    layoutBox->addWidget(m_shrunk);
    layoutBox->addWidget(m_masked);
    form->addRow(tr("Channels:"), layoutBox);

    m_float = new QRadioButton(tr("Float32 (quantized layers hold their dequantized values)"), this);
    m_float->setToolTip(tr("Every weight stays a 32-bit float; runs in every runtime."));
    m_int8 = new QRadioButton(tr("Int8 QDQ for 8-bit layers (int8 weights + DequantizeLinear)"), this);
    m_int8->setToolTip(tr("Stores the weights of 8-bit uniform layers as int8, a quarter of their float size."));
    auto* fp16 = new QRadioButton(tr("Float16 storage"), this);
    fp16->setEnabled(false);
    fp16->setToolTip(tr("Not available yet: float16 layers are written as float32 holding half-precision values."));
    auto* weightGroup = new QButtonGroup(this);
    weightGroup->addButton(m_float);
    weightGroup->addButton(m_int8);
    weightGroup->addButton(fp16);
    m_float->setChecked(true);
    auto* weightBox = new QVBoxLayout;
    weightBox->addWidget(m_float);
    weightBox->addWidget(m_int8);
    weightBox->addWidget(fp16);
    form->addRow(tr("Weights:"), weightBox);

    m_path = new QLineEdit(suggestedPath, this);
    m_path->setObjectName(QStringLiteral("exportPath"));
    m_path->setToolTip(tr("The .onnx file to write; the model you opened is never overwritten."));
    auto* browse = new QPushButton(tr("Browse…"), this);
    browse->setToolTip(tr("Choose the file to write."));
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    auto* pathBox = new QHBoxLayout;
    pathBox->addWidget(m_path, 1);
    pathBox->addWidget(browse);
    form->addRow(tr("File:"), pathBox);

    m_prediction = new QLabel(this);
    m_prediction->setObjectName(QStringLiteral("predictedSize"));
    form->addRow(tr("Predicted size:"), m_prediction);
    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    auto* exportButton = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    exportButton->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    for (auto* button : { m_masked, m_shrunk, m_float, m_int8 })
        connect(button, &QRadioButton::toggled, this, &ExportDialog::updatePrediction);
    connect(m_path, &QLineEdit::textChanged, m_problem, &QLabel::clear);
    updatePrediction();
}

QString ExportDialog::path() const
{
    return m_path->text().trimmed();
}

void ExportDialog::setPath(const QString& path)
{
    m_path->setText(path);
}

ApplyOptions ExportDialog::options() const
{
    ApplyOptions options;
    options.shrink = m_shrunk->isChecked();
    options.int8Qdq = m_int8->isChecked();
    return options;
}

void ExportDialog::setOptions(const ApplyOptions& options)
{
    (options.shrink ? m_shrunk : m_masked)->setChecked(true);
    (options.int8Qdq ? m_int8 : m_float)->setChecked(true);
}

qint64 ExportDialog::predictedBytes() const
{
    return predictedFileBytes(m_stats, options());
}

void ExportDialog::updatePrediction()
{
    m_prediction->setText(
        tr("%1 (original file %2)").arg(format::bytes(predictedBytes()), format::bytes(m_stats.originalFileBytes)));
    m_prediction->setToolTip(format::exactBytes(predictedBytes()));
}

void ExportDialog::browse()
{
    const QString chosen = QFileDialog::getSaveFileName(this, tr("Export Compressed Model"), path(), tr("ONNX models (*.onnx)"));
    if (!chosen.isEmpty())
        m_path->setText(chosen);
}

void ExportDialog::accept()
{
    const QString target = path();
    if (target.isEmpty()) {
        m_problem->setText(tr("Choose a file to write."));
        return;
    }
    if (!m_source.isEmpty() && QFileInfo(target).canonicalFilePath() == QFileInfo(m_source).canonicalFilePath()
        && QFileInfo::exists(target)) {
        m_problem->setText(tr("That is the model you opened; export writes a new file and never overwrites it."));
        return;
    }
    QDialog::accept();
}

} // namespace topiary
