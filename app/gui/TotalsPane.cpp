#include "TotalsPane.h"

#include "Document.h"
#include "LiveEvaluation.h"
#include "RecoverySection.h"

#include "widgets/RecoveryControls.h"
#include "widgets/TotalsPanel.h"

#include "core/analysis/ChanceLevel.h"
#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <QFileInfo>
#include <QVBoxLayout>
#include <QWidget>

namespace topiary {

TotalsPane::TotalsPane(Document* document, QWidget* window)
    : QObject(window)
    , m_document(document)
    , m_widget(new QWidget(window))
    , m_panel(new TotalsPanel(m_widget))
    , m_evaluation(new LiveEvaluation(this))
{
    // Recover section: the switch, its methods and the accuracy as recovered; first, so
    // that it is in view in the short Totals dock of a 1366x768 screen.
    m_recovery = new RecoverySection(m_document, m_evaluation, m_widget);
    auto* layout = new QVBoxLayout(m_widget);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_recovery->controls());
    layout->addWidget(m_panel);
    connect(m_recovery, &RecoverySection::message, this, &TotalsPane::message);

    connect(m_document, &Document::modelChanged, this, &TotalsPane::showModel);
    connect(m_document, &Document::planChanged, this, [this] {
        m_panel->setStats(m_document->originalStats(), m_document->currentStats());
        m_evaluation->setPlan(m_document->plan().withRecovery({})); // as compressed; recovered: RecoverySection
    });
    connect(m_document, &Document::datasetChanged, this, [this] {
        m_evaluation->setDataset(m_document->dataset(), m_document->preprocess());
        m_evaluation->setPlan(m_document->plan().withRecovery({}));
    });
    connect(m_evaluation, &LiveEvaluation::updated, this, &TotalsPane::showEvaluation);
    connect(m_panel, &TotalsPanel::datasetRequested, this, &TotalsPane::datasetRequested);
    connect(m_evaluation, &LiveEvaluation::evaluated, m_document, &Document::recordEvaluation);
    connect(m_evaluation, &LiveEvaluation::failed, this,
        [this](const QString& text) { emit message(tr("Evaluation failed: %1").arg(text), 5000); });
}

void TotalsPane::showModel()
{
    if (m_document->isEmpty()) {
        m_panel->clear();
    } else {
        m_panel->setModel(*m_document->model(), *m_document->cost(), m_document->fileBytes());
        m_panel->setStats(m_document->originalStats(), m_document->currentStats());
    }
    const auto& cost = m_document->cost();
    m_evaluation->setModel(m_document->model(),
        cost ? std::shared_ptr<const std::vector<Layer>>(cost, &cost->layers()) : nullptr, m_document->groups());
    if (m_evaluation->hasDataset())
        m_evaluation->setPlan(m_document->plan().withRecovery({}));
    showEvaluation();
}

void TotalsPane::showEvaluation()
{
    QString note;
    if (!m_evaluation->hasDataset())
        note = tr("No dataset: open one with File → Open Dataset to estimate accuracy.");
    m_panel->setEvaluation(m_evaluation->original(), m_evaluation->current(), m_evaluation->currentDone(), note);
    bool warning = false;
    const QString text = dataNote(warning);
    m_panel->setDataNote(text, warning);
}

// Which images and preprocessing the accuracy comes from, with a link to the Dataset
// dialog; a plain warning first when the unmodified model scores near chance on them.
QString TotalsPane::dataNote(bool& warning) const
{
    warning = false;
    const QString link = QStringLiteral("<a href=\"dataset\">%1</a>");
    if (m_document->isEmpty())
        return {};
    if (!m_evaluation->hasDataset())
        return link.arg(tr("Open a dataset…"));
    const PreprocessSpec& spec = m_document->preprocess();
    auto numbers = [](const std::vector<double>& values) {
        QStringList out;
        for (double v : values)
            out << QString::number(v, 'g', 3);
        return out.join(QLatin1Char('/'));
    };
    const QString data = m_document->datasetPath().isEmpty() ? tr("the bundled sample images")
                                                             : QFileInfo(m_document->datasetPath()).fileName();
    QString shape = QStringLiteral("%1\u00d7%2\u00d7%3").arg(spec.channels).arg(spec.height).arg(spec.width);
    if (spec.resize > 0)
        shape = tr("resize %1, crop %2").arg(spec.resize).arg(shape);
    QString text = tr("On %1; preprocessing %2, mean %3, std %4, from %5.")
                       .arg(data.toHtmlEscaped(), shape, numbers(spec.mean), numbers(spec.stddev),
                           m_document->preprocessFrom().isEmpty() ? tr("the defaults")
                                                                  : m_document->preprocessFrom().toHtmlEscaped());
    const EvaluationMetrics* original = m_evaluation->original();
    if (original && original->finished() && nearChance(*original)) {
        warning = true;
        text = tr("<b>Near chance</b> (%1 % for %2 classes): the unmodified model is hardly better than guessing on "
                  "these images, so the preprocessing is most likely not the one it was trained with.")
                   .arg(QString::number(100.0 / original->numClasses, 'f', 1))
                   .arg(original->numClasses)
            + QLatin1Char(' ') + link.arg(tr("Check the preprocessing…")) + QStringLiteral("<br>") + text;
        return text;
    }
    return text + QLatin1Char(' ') + link.arg(tr("Dataset…"));
}

} // namespace topiary
