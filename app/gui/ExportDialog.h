// File > Export: where to write the compressed model and in which form (masked: zeros
// in the original shapes; shrunk: pruned channels removed), with float32 weights or the
// 8-bit and float16 layers stored in their own types (int8 QDQ, float16 + Cast),
// and the size each choice will have, predicted by the stats before anything is written.
// It only asks; MainWindow applies the plan and writes the file off the GUI thread.
#pragma once

#include "core/export/Apply.h"
#include "core/analysis/Stats.h"

#include <QDialog>

#include <functional>

class QButtonGroup;
class QCheckBox;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace topiary {

class ExportDialog : public QDialog {
    Q_OBJECT

public:
    // source: the model's own file, which export never overwrites ("" for a bundled model).
    ExportDialog(const ModelStats& stats, const QString& source, const QString& suggestedPath, QWidget* parent = nullptr);

    QString path() const;
    ApplyOptions options() const;
    void setPath(const QString& path);
    void setOptions(const ApplyOptions& options);
    // The predicted size of the file for the chosen options, as shown.
    qint64 predictedBytes() const;

    // Asked before writing over a file that exists (not the source, which is refused):
    // true = overwrite. Default: a Yes/No message box. Tests replace it.
    using OverwriteQuestion = std::function<bool(const QString& path)>;
    void setOverwriteQuestion(OverwriteQuestion question) { m_askOverwrite = std::move(question); }

    void accept() override;

private:
    void browse();
    void updatePrediction();

    ModelStats m_stats;
    QString m_source;
    QRadioButton* m_masked = nullptr;
    QRadioButton* m_shrunk = nullptr;
    QCheckBox* m_int8 = nullptr;
    QCheckBox* m_float16 = nullptr;
    QLineEdit* m_path = nullptr;
    QLabel* m_prediction = nullptr;
    QLabel* m_problem = nullptr;
    OverwriteQuestion m_askOverwrite;
    QString m_confirmedPath; // the file picker already asked about this one
};

} // namespace topiary
