// The whole-model numbers at a glance: params, MACs, weight bytes, peak activation
// memory, memory traffic, file size, layer count and opset, as the core computed them.
#pragma once

#include <QWidget>

#include <array>

class QLabel;

namespace topiary {

class Model;
class CostModel;
struct ModelStats;
struct EvaluationMetrics;

class TotalsPanel : public QWidget {
    Q_OBJECT

public:
    enum Row {
        Accuracy, Agreement, Latency, Params, LinearMacs, AllMacs, WeightBytes, ExportSize, PeakActivation, Traffic,
        FileSize, Layers, Opset, RowCount
    };

    explicit TotalsPanel(QWidget* parent = nullptr);

    // Shows the totals of cost; fileBytes is the size of the file the model came from
    // (given separately because a model parsed from memory has no file).
    void setModel(const Model& model, const CostModel& cost, qint64 fileBytes);
    // The model under the plan beside the original: "original → current (−x %)" for params,
    // both MAC counts, weight size (at the plan's encodings) and peak activations; rows the plan
    // leaves unchanged show one number.
    void setStats(const ModelStats& original, const ModelStats& current);
    // Top-1 accuracy with its 95% interval, agreement with the original and latency per image,
    // original → current; "estimating n/N" while the current plan's run is going. Null
    // metrics: not evaluated (no dataset, or not yet). `note` says why, e.g. "no dataset".
    void setEvaluation(const EvaluationMetrics* original, const EvaluationMetrics* current, bool currentDone,
        const QString& note);
    // Under the accuracy row: which data and preprocessing the accuracy comes from, or a
    // plain warning (`warning`: drawn in the error colour) when it is near chance. Rich
    // text; a link in it emits datasetRequested. "" hides it.
    void setDataNote(const QString& richText, bool warning);
    QString dataNoteText() const;
    // Back to dashes, as before any model was loaded.
    void clear();

    // The text shown for a row, e.g. "1,234" (for tests and accessibility).
    QString valueText(Row row) const;

signals:
    // The accuracy row's link: open the Dataset dialog.
    void datasetRequested();

protected:
    void changeEvent(QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void retranslateUi();
    void fitDataNote();
    void setValue(Row row, const QString& text, const QString& toolTip);
    void setCount(Row row, qint64 value, const QString& unitToolTip);
    void setBytes(Row row, qint64 value);
    void setChange(Row row, qint64 before, qint64 after, bool bytes);

    std::array<QLabel*, RowCount> m_captions{};
    std::array<QLabel*, RowCount> m_values{};
    QLabel* m_dataNote = nullptr;
};

} // namespace topiary
