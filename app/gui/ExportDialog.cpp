#include "ExportDialog.h"

#include "MessageButtons.h"

#include "widgets/NumberFormat.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
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

    // Float32 unless asked: every runtime reads it. Each storage below applies to the
    // layers quantized that way; without such layers it has nothing to do.
    m_int8 = new QCheckBox(tr("Int8 QDQ for 8-bit layers (int8 weights + DequantizeLinear)"), this);
    m_int8->setToolTip(tr("Stores the weights of 8-bit uniform layers as int8, a quarter of their float size."));
    m_int8->setObjectName(QStringLiteral("int8Storage"));
    m_int8->setEnabled(m_stats.maskedQdqFileBytes != m_stats.maskedFileBytes);
    m_float16 = new QCheckBox(tr("Float16 for float16 layers (float16 weights + Cast)"), this);
    m_float16->setToolTip(tr("Stores the weights of float16 layers in 16 bits, half their float size, widened by a "
                             "Cast when the model loads. ONNX Runtime runs it; OpenCV 4.6 cannot read float16 "
                             "tensors."));
    m_float16->setObjectName(QStringLiteral("float16Storage"));
    m_float16->setEnabled(m_stats.maskedHalfDelta != 0);
    auto* weightBox = new QVBoxLayout;
    auto* float32 = new QLabel(tr("Float32, except:"), this);
    float32->setToolTip(tr("Quantized layers hold their dequantized values as 32-bit floats unless stored below."));
    weightBox->addWidget(float32);
    weightBox->addWidget(m_int8);
    weightBox->addWidget(m_float16);
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

    // Our own Cancel: the standard button's text comes from qtbase translations, often not installed.
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(tr("Cancel"), QDialogButtonBox::RejectRole);
    auto* exportButton = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    exportButton->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addWidget(buttons);

    for (auto* button : { m_masked, m_shrunk })
        connect(button, &QRadioButton::toggled, this, &ExportDialog::updatePrediction);
    for (auto* box : { m_int8, m_float16 })
        connect(box, &QCheckBox::toggled, this, &ExportDialog::updatePrediction);
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
    options.float16 = m_float16->isChecked();
    return options;
}

void ExportDialog::setOptions(const ApplyOptions& options)
{
    (options.shrink ? m_shrunk : m_masked)->setChecked(true);
    m_int8->setChecked(options.int8Qdq);
    m_float16->setChecked(options.float16);
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
    if (!chosen.isEmpty()) {
        m_path->setText(chosen);
        m_confirmedPath = chosen; // the save dialog asked about overwriting it
    }
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
    if (QFileInfo::exists(target) && target != m_confirmedPath) {
        const bool overwrite = m_askOverwrite ? m_askOverwrite(target)
                                              : askQuestion(this, tr("Replace File?"),
                                                    tr("%1 already exists. Replace it?")
                                                        .arg(QFileInfo(target).fileName()),
                                                    QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
                == QMessageBox::Yes;
        if (!overwrite) {
            m_problem->setText(tr("%1 exists and was kept; choose another file.").arg(QFileInfo(target).fileName()));
            return;
        }
        m_confirmedPath = target;
    }
    QDialog::accept();
}

} // namespace topiary
