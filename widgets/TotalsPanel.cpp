#include "widgets/TotalsPanel.h"

#include "widgets/NumberFormat.h"

#include "core/eval/EvaluationResult.h"
#include "core/analysis/Stats.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <QEvent>
#include <QGridLayout>
#include <QLabel>
#include <QResizeEvent>

#include <algorithm>

namespace topiary {

namespace {

const char* const valueObjectNames[TotalsPanel::RowCount] = {
    "accuracyValue", "agreementValue", "latencyValue", "paramsValue", "linearMacsValue", "allMacsValue",
    "weightBytesValue", "exportSizeValue", "peakActivationValue", "trafficValue", "fileSizeValue", "layersValue",
    "opsetValue",
};

} // namespace

TotalsPanel::TotalsPanel(QWidget* parent)
    : QWidget(parent)
{
    auto* layout = new QGridLayout(this);
    layout->setColumnStretch(1, 1);
    layout->setHorizontalSpacing(16);
    for (int row = 0; row < RowCount; ++row) {
        auto* caption = new QLabel(this);
        auto* value = new QLabel(this);
        value->setObjectName(QString::fromLatin1(valueObjectNames[row]));
        value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        caption->setBuddy(value);
        const int gridRow = row > Accuracy ? row + 1 : row; // the data note goes under the accuracy
        layout->addWidget(caption, gridRow, 0);
        layout->addWidget(value, gridRow, 1);
        m_captions[static_cast<size_t>(row)] = caption;
        m_values[static_cast<size_t>(row)] = value;
    }
    m_dataNote = new QLabel(this);
    m_dataNote->setObjectName(QStringLiteral("accuracyDataNote"));
    m_dataNote->setWordWrap(true);
    m_dataNote->setTextFormat(Qt::RichText);
    m_dataNote->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_dataNote->hide();
    connect(m_dataNote, &QLabel::linkActivated, this, &TotalsPanel::datasetRequested);
    layout->addWidget(m_dataNote, Accuracy + 1, 0, 1, 2);
    layout->setRowStretch(RowCount + 1, 1);
    retranslateUi();
    clear();
}

void TotalsPanel::setModel(const Model& model, const CostModel& cost, qint64 fileBytes)
{
    const CostTotals& totals = cost.totals();
    setCount(Params, totals.params, tr("%1 parameters"));
    setCount(LinearMacs, totals.linearMacs, tr("%1 multiply-accumulates"));
    setCount(AllMacs, totals.allMacs(), tr("%1 multiply-accumulates"));
    setBytes(WeightBytes, totals.weightBytes);
    setBytes(PeakActivation, totals.peakActivationBytes);
    setBytes(Traffic, totals.trafficBytes);
    setBytes(FileSize, fileBytes);
    const auto layers = static_cast<qint64>(cost.layers().size());
    setValue(Layers, format::count(layers), tr("Layers with weights: %1").arg(format::count(layers)));
    setValue(Opset, QString::number(model.opsetVersion()), tr("ONNX opset %1 (default domain)").arg(model.opsetVersion()));
}

void TotalsPanel::setStats(const ModelStats& original, const ModelStats& current)
{
    setChange(Params, original.params, current.params, false);
    setChange(LinearMacs, original.linearMacs, current.linearMacs, false);
    setChange(AllMacs, original.linearMacs + original.otherMacs, current.linearMacs + current.otherMacs, false);
    setChange(WeightBytes, original.encodedBytes, current.encodedBytes, true);
    setChange(PeakActivation, original.peakActivationBytes, current.peakActivationBytes, true);
    setChange(ExportSize, original.shrunkFileBytes, current.shrunkFileBytes, true);
}

void TotalsPanel::setEvaluation(
    const EvaluationMetrics* original, const EvaluationMetrics* current, bool currentDone, const QString& note)
{
    auto percent = [&](double v) { return format::fixed(100.0 * v, 1); };
    auto estimate = [&](const Estimate& e) {
        return tr("%1 % [%2, %3]").arg(percent(e.value), percent(e.low), percent(e.high));
    };
    auto progress = [&](const EvaluationMetrics& m) {
        return m.finished() ? QString() : tr(" (estimating %1/%2)").arg(format::count(m.processed), format::count(m.total));
    };
    const QString dash(QChar(0x2014));
    if (!original || original->labelled == 0) {
        const QString why = note.isEmpty() ? tr("Not evaluated yet.") : note;
        setValue(Accuracy, original ? dash + progress(*original) : dash, why);
        setValue(Agreement, dash, why);
        setValue(Latency, dash, why);
        return;
    }
    const Estimate before = original->top1();
    QString text = estimate(before) + progress(*original);
    QString tip = tr("Original: %1 of %2 images correct (95% Wilson interval).")
                      .arg(format::count(original->top1Correct), format::count(original->labelled));
    if (current && current->labelled > 0 && original->finished()) {
        const Estimate after = current->top1();
        const QString delta = format::fixed(100.0 * (after.value - before.value), 1);
        text = tr("%1 \u2192 %2 (%3 pt)%4")
                   .arg(percent(before.value) + QStringLiteral(" %"), estimate(after),
                       after.value - before.value > 0 ? QLatin1Char('+') + delta : delta,
                       currentDone ? QString() : progress(*current));
        tip += QLatin1Char('\n')
            + tr("With the plan: %1 of %2 images correct so far.")
                  .arg(format::count(current->top1Correct), format::count(current->labelled));
    }
    setValue(Accuracy, text, tip);
    if (current && current->compared > 0) {
        setValue(Agreement, estimate(current->agreement()) + (currentDone ? QString() : progress(*current)),
            tr("Images whose top-1 class is the same as the original model's: %1 of %2.")
                .arg(format::count(current->agreed), format::count(current->compared)));
    } else {
        setValue(Agreement, dash, tr("Shown once the plan changes the model."));
    }
    // The median of the timed batches with half their interquartile range: one number
    // from a noisy machine must not pass for a change the plan made.
    auto ms = [&](const EvaluationMetrics& m) {
        const Estimate l = m.latency();
        return tr("%1 ms \u00b1 %2").arg(format::fixed(1000.0 * l.value, 2), format::fixed(500.0 * (l.high - l.low), 2));
    };
    const QString latencyTip = tr("Forward time per image in OpenCV dnn on this machine: the median of the batches "
                                  "after the first, \u00b1 half the range of their middle half.");
    if (current && !current->timedBatches.empty() && !original->timedBatches.empty())
        setValue(Latency, tr("%1 \u2192 %2").arg(ms(*original), ms(*current)),
            latencyTip + QLatin1Char('\n') + tr("%1 and %2 batches timed.").arg(original->timedBatches.size()).arg(current->timedBatches.size()));
    else if (!original->timedBatches.empty())
        setValue(Latency, ms(*original), latencyTip + QLatin1Char('\n') + tr("%1 batches timed.").arg(original->timedBatches.size()));
    else
        setValue(Latency, dash, tr("Measured after the first batch."));
}

void TotalsPanel::setChange(Row row, qint64 before, qint64 after, bool bytes)
{
    if (before == after) {
        if (bytes)
            setBytes(row, after);
        else
            setCount(row, after, row == Params ? tr("%1 parameters") : tr("%1 multiply-accumulates"));
        return;
    }
    const auto shown = [&](qint64 v) { return bytes ? format::bytes(v) : v >= 1000000 ? format::compact(v) : format::count(v); };
    const double change = before != 0 ? 100.0 * static_cast<double>(after - before) / static_cast<double>(before) : 0.0;
    const QString percent = format::fixed(change, 1);
    setValue(row, tr("%1 \u2192 %2 (%3 %)").arg(shown(before), shown(after), change > 0 ? QLatin1Char('+') + percent : percent),
        tr("Original: %1\nWith the plan: %2").arg(bytes ? format::exactBytes(before) : format::count(before),
            bytes ? format::exactBytes(after) : format::count(after)));
}

void TotalsPanel::setDataNote(const QString& richText, bool warning)
{
    m_dataNote->setText(richText);
    m_dataNote->setStyleSheet(warning ? QStringLiteral("color: #b3261e;") : QString());
    m_dataNote->setVisible(!richText.isEmpty());
    fitDataNote();
}

// A wrapped label in a scrolled dock gets one line's height unless told: all its lines.
void TotalsPanel::fitDataNote()
{
    const int width = std::max(160, contentsRect().width() - 2 * layout()->contentsMargins().left());
    m_dataNote->setMinimumHeight(m_dataNote->isHidden() ? 0 : m_dataNote->heightForWidth(width));
}

void TotalsPanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitDataNote();
}

QString TotalsPanel::dataNoteText() const
{
    return m_dataNote->isHidden() ? QString() : m_dataNote->text();
}

void TotalsPanel::clear()
{
    for (int row = 0; row < RowCount; ++row)
        setValue(static_cast<Row>(row), QString(QChar(0x2014)), QString());
}

QString TotalsPanel::valueText(Row row) const
{
    return m_values[static_cast<size_t>(row)]->text();
}

void TotalsPanel::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void TotalsPanel::retranslateUi()
{
    struct Text {
        QString caption;
        QString toolTip;
    };
    const std::array<Text, RowCount> texts{{
        {tr("Accuracy (top-1)"), tr("Top-1 accuracy on the dataset with its 95% confidence interval, original → with the plan.")},
        {tr("Agreement"), tr("How often the compressed model predicts the same class as the original.")},
        {tr("Latency (OpenCV)"), tr("Forward time per image in OpenCV dnn on this machine, original → with the plan. The exported file's latency is measured after File → Export; in ONNX Runtime with topiary-cli bench.")},
        {tr("Params"), tr("Elements of every layer's weight and bias, plus the scale and shift of attached BatchNormalizations.")},
        {tr("MACs, conv + linear"), tr("Multiply-accumulates of the convolutions and matrix products for one input (batch size 1).")},
        {tr("MACs, all ops"), tr("Multiply-accumulates of every op, including pooling, normalization and elementwise ops.")},
        {tr("Weight size"), tr("Bytes of all layer parameters at their stored type (1 MB = 10^6 bytes).")},
        {tr("Exported size"), tr("Size of the ONNX file File → Export writes for this plan (shrunk, float weights).")},
        {tr("Peak activations"), tr("The most activation memory alive at any one step when the graph runs node by node.")},
        {tr("Memory traffic"), tr("Bytes read and written by all nodes together: every input read once and every output written once.")},
        {tr("File size"), tr("Size of the ONNX file the model was loaded from.")},
        {tr("Layers"), tr("Number of nodes that carry weights: convolutions, Gemm and MatMul with a constant operand.")},
        {tr("Opset"), tr("The ONNX operator set version the model declares for the default domain.")},
    }};
    for (size_t row = 0; row < texts.size(); ++row) {
        m_captions[row]->setText(texts[row].caption);
        m_captions[row]->setToolTip(texts[row].toolTip);
    }
}

void TotalsPanel::setValue(Row row, const QString& text, const QString& toolTip)
{
    QLabel* label = m_values[static_cast<size_t>(row)];
    label->setText(text);
    label->setToolTip(toolTip);
}

void TotalsPanel::setCount(Row row, qint64 value, const QString& unitToolTip)
{
    QString text = format::count(value);
    if (value >= 1'000'000)
        text = tr("%1 (%2)").arg(format::compact(value), text);
    setValue(row, text, unitToolTip.arg(format::count(value)));
}

void TotalsPanel::setBytes(Row row, qint64 value)
{
    setValue(row, format::bytes(value), format::exactBytes(value));
}

} // namespace topiary
