#include "ActivationSection.h"

#include "ActivationCalibrationRunner.h"
#include "Document.h"

#include "widgets/ActivationHistogramPlot.h"
#include "widgets/LayerControls.h"
#include "widgets/LayerInspector.h"
#include "widgets/NumberFormat.h"

#include "core/compress/ActivationRange.h"
#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <QToolButton>

namespace topiary {

namespace {
constexpr int kStatusTimeoutMs = 5000;

QString methodName(CalibrationMethod method)
{
    return QString::fromLatin1(nameIn(kCalibrationMethodNames, method));
}
} // namespace

ActivationSection::ActivationSection(Document* document, LayerInspector* inspector, QObject* parent)
    : QObject(parent)
    , m_document(document)
    , m_inspector(inspector)
    , m_runner(new ActivationCalibrationRunner(this))
{
    LayerControls* controls = inspector->controls();
    connect(inspector, &LayerInspector::activationEdited, this, &ActivationSection::editActivation);
    connect(inspector, &LayerInspector::calibrationMethodEdited, this, &ActivationSection::editCalibrationMethod);
    connect(controls, &LayerControls::calibrationCancelRequested, m_runner, &ActivationCalibrationRunner::cancel);

    connect(document, &Document::modelChanged, this, [this] {
        m_runner->setModel(m_document->model());
        m_status.clear();
        planChanged();
    });
    connect(document, &Document::datasetChanged, this, [this] {
        m_runner->setDataset(m_document->dataset(), m_document->preprocess());
        showStatus();
    });
    connect(document, &Document::planChanged, this, &ActivationSection::planChanged);
    connect(document, &Document::selectionChanged, this, &ActivationSection::showHistogram);

    connect(m_runner, &ActivationCalibrationRunner::progress, this, [this](int pass, qint64 done, qint64 images) {
        const QString text = done == 0 && pass == 0
            ? tr("Calibrating 8-bit activations: loading %1 images…").arg(format::count(images))
            : tr("Calibrating 8-bit activations: pass %1 of %2, %3 of %4 images")
                  .arg(pass + 1)
                  .arg(m_document->plan().activationRanges().method == CalibrationMethod::MinMax ? 1 : 2)
                  .arg(format::count(done), format::count(images));
        m_inspector->controls()->setCalibrationStatus(text, true);
    });
    connect(m_runner, &ActivationCalibrationRunner::calibrated, this,
        [this](const Plan& plan, const ActivationRanges& ranges) {
            m_status = tr("%1 ranges calibrated on %2 images (%3).")
                           .arg(ranges.tensors.size())
                           .arg(format::count(ranges.images))
                           .arg(methodName(ranges.method));
            m_document->setCalibratedRanges(plan, ranges); // planChanged shows the status
            showStatus();
            showHistogram();
        });
    connect(m_runner, &ActivationCalibrationRunner::stopped, this, [this] {
        m_status = tr("Calibration cancelled: the accuracy waits for calibrated ranges.");
        showStatus();
    });
    connect(m_runner, &ActivationCalibrationRunner::failed, this, [this](const QString& text) {
        m_status = tr("Calibration failed: %1").arg(text);
        showStatus();
        emit message(m_status, kStatusTimeoutMs);
    });
}

Plan ActivationSection::withActivation(const Plan& before, const std::string& layer, const ActivationSpec& spec)
{
    Plan plan = before;
    plan.setActivation(layer, spec);
    if (!quantizesActivations(plan) && !plan.activationRanges().empty()) {
        // No 8-bit activation is left: its ranges go, the method stays.
        ActivationRanges none;
        none.method = plan.activationRanges().method;
        none.percentile = plan.activationRanges().percentile;
        plan.setActivationRanges(none);
    }
    return plan;
}

QString ActivationSection::editText(const std::string& layer, const ActivationSpec& spec)
{
    const QString name = QString::fromStdString(layer);
    return !spec.quantized() ? tr("%1 inputs in float").arg(name)
        : spec.symmetric     ? tr("%1 inputs as int8").arg(name)
                             : tr("%1 inputs as uint8").arg(name);
}

void ActivationSection::editActivation(const ActivationSpec& spec)
{
    const int selected = m_document->selectedLayer();
    if (selected < 0 || m_document->isEmpty())
        return;
    const std::string& name = m_document->cost()->layers()[static_cast<size_t>(selected)].name;
    if (m_document->editPlan(withActivation(m_document->plan(), name, spec), editText(name, spec))
        && spec.quantized())
        m_inspector->showActivationHistogram(); // what the choice just made is about
}

void ActivationSection::editCalibrationMethod(CalibrationMethod method)
{
    if (m_document->isEmpty() || m_document->plan().activationRanges().method == method)
        return;
    // New ranges by the new method: the old ones go, so calibration runs again.
    ActivationRanges ranges;
    ranges.method = method;
    ranges.percentile = m_document->plan().activationRanges().percentile;
    m_document->editPlan(
        m_document->plan().withActivationRanges(ranges), tr("Calibrate activations by %1").arg(methodName(method)));
}

void ActivationSection::planChanged()
{
    m_inspector->controls()->setCalibrationMethod(m_document->plan().activationRanges().method);
    m_runner->setPlan(m_document->plan());
    showStatus();
    showHistogram();
}

void ActivationSection::showStatus()
{
    LayerControls* controls = m_inspector->controls();
    if (m_runner->isRunning()) {
        if (controls->calibrationStatus().isEmpty() || !controls->cancelCalibrationButton()->isVisible())
            controls->setCalibrationStatus(tr("Calibrating 8-bit activations…"), true);
        return;
    }
    const Plan& plan = m_document->plan();
    if (m_document->isEmpty() || !quantizesActivations(plan)) {
        controls->setCalibrationStatus({}, false);
        return;
    }
    if (ActivationCalibrationRunner::needsCalibration(*m_document->model(), plan)) {
        if (!m_runner->hasDataset())
            controls->setCalibrationStatus(
                tr("Open a dataset to calibrate the 8-bit activations: the accuracy needs their ranges."), false);
        else
            controls->setCalibrationStatus(m_status, false);
        return;
    }
    const ActivationRanges& ranges = plan.activationRanges();
    controls->setCalibrationStatus(ranges.images > 0 ? tr("%1 ranges calibrated on %2 images (%3).")
                                                           .arg(ranges.tensors.size())
                                                           .arg(format::count(ranges.images))
                                                           .arg(methodName(ranges.method))
                                                     : QString(),
        false);
}

void ActivationSection::showHistogram()
{
    ActivationHistogramPlot* plot = m_inspector->activationHistogram();
    const int selected = m_document->selectedLayer();
    if (selected < 0 || m_document->isEmpty()) {
        plot->clear();
        return;
    }
    const Plan& plan = m_document->plan();
    const Layer& layer = m_document->cost()->layers()[static_cast<size_t>(selected)];
    const ActivationSpec act = plan.spec(layer.name).act;
    if (!act.quantized()) {
        plot->clear();
        return;
    }
    const std::string tensor = ActivationCalibrationRunner::inputRangeTensor(*m_document->model(), layer, plan);
    const auto range = plan.activationRanges().tensors.find(tensor);
    if (tensor.empty() || range == plan.activationRanges().tensors.end()) {
        plot->clear(tr("Not calibrated yet: the histogram of the input values appears with the ranges."));
        return;
    }
    const ActivationHistogram* values = m_runner->histogram(tensor);
    if (!values) {
        plot->clear(tr("The ranges came with the plan; the values are seen when calibrating (choose a calibration "
                       "method to calibrate again)."));
        return;
    }
    plot->setData(coarseHistogram(*values), { range->second.min, range->second.max }, act.symmetric,
        QString::fromStdString(tensor), methodName(plan.activationRanges().method));
}

} // namespace topiary
