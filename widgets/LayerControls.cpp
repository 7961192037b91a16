#include "widgets/LayerControls.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace topiary {

namespace {

constexpr double kMeanStdRange = 3.0;  // k of mean + k·std runs over [-3, 3]

constexpr Criterion kCriteria[] = {Criterion::L1, Criterion::L2, Criterion::Fpgm, Criterion::Apoz,
                                   Criterion::BnScale, Criterion::Random, Criterion::Taylor};
// The activation choices: float, uint8 asymmetric, int8 symmetric (the combo's order).
enum ActivationChoice { kActFloat, kActUint8, kActInt8 };
constexpr CalibrationMethod kMethods[] = {CalibrationMethod::MinMax, CalibrationMethod::Percentile,
                                          CalibrationMethod::Mse, CalibrationMethod::Entropy};
constexpr QuantScheme kSchemes[] = {QuantScheme::Float32, QuantScheme::Float16, QuantScheme::Uniform,
                                    QuantScheme::Codebook, QuantScheme::Binary, QuantScheme::Ternary};

void setItemEnabled(QComboBox* box, int index, bool enabled, const QString& toolTip)
{
    if (auto* model = qobject_cast<QStandardItemModel*>(box->model()))
        if (QStandardItem* item = model->item(index))
            item->setEnabled(enabled);
    box->setItemData(index, toolTip, Qt::ToolTipRole);
}

template <class E>
E currentEnum(const QComboBox* box)
{
    return static_cast<E>(box->currentData().toInt());
}

template <class E>
void selectEnum(QComboBox* box, E value)
{
    box->setCurrentIndex(std::max(0, box->findData(static_cast<int>(value))));
}

} // namespace

LayerControls::LayerControls(QWidget* parent)
    : QWidget(parent)
{
    // Pruning
    m_pruneBox = new QGroupBox(this);
    m_granularity = new QComboBox(m_pruneBox);
    m_granularity->setObjectName(QStringLiteral("granularity"));
    for (auto g : {PruneGranularity::None, PruneGranularity::Element, PruneGranularity::Filter})
        m_granularity->addItem(QString(), static_cast<int>(g));
    m_criterion = new QComboBox(m_pruneBox);
    m_criterion->setObjectName(QStringLiteral("pruneCriterion"));
    for (Criterion c : kCriteria)
        m_criterion->addItem(QString(), static_cast<int>(c));
    m_mode = new QComboBox(m_pruneBox);
    m_mode->setObjectName(QStringLiteral("pruneMode"));
    for (auto m : {PruneMode::Ratio, PruneMode::Threshold, PruneMode::MeanStdRule})
        m_mode->addItem(QString(), static_cast<int>(m));
    m_slider = new QSlider(Qt::Horizontal, m_pruneBox);
    m_slider->setObjectName(QStringLiteral("pruneSlider"));
    m_slider->setRange(0, kSliderSteps);
    m_slider->setPageStep(kSliderSteps / 20);
    m_value = new QDoubleSpinBox(m_pruneBox);
    m_value->setObjectName(QStringLiteral("pruneValue"));
    m_value->setKeyboardTracking(false);  // one edit when typing is done, not per digit
    m_value->setMinimumWidth(90);
    m_slider->setMinimumWidth(80);
    m_step = new QToolButton(m_pruneBox);
    m_step->setObjectName(QStringLiteral("pruneStep"));
    m_step->setToolButtonStyle(Qt::ToolButtonTextOnly);

    m_granularityLabel = new QLabel(m_pruneBox);
    m_criterionLabel = new QLabel(m_pruneBox);
    m_modeLabel = new QLabel(m_pruneBox);
    m_valueLabel = new QLabel(m_pruneBox);
    m_granularityLabel->setBuddy(m_granularity);
    m_criterionLabel->setBuddy(m_criterion);
    m_modeLabel->setBuddy(m_mode);
    m_valueLabel->setBuddy(m_slider);
    auto* valueRow = new QHBoxLayout;
    valueRow->addWidget(m_slider, 1);
    valueRow->addWidget(m_value);
    // Step gets a row of its own: beside the value it would squeeze the slider to nothing
    // in a narrow dock (and more so in presentation mode or in Chinese).
    auto* stepRow = new QHBoxLayout;
    stepRow->addWidget(m_step);
    stepRow->addStretch(1);
    auto* pruneForm = new QFormLayout(m_pruneBox);
    pruneForm->addRow(m_granularityLabel, m_granularity);
    pruneForm->addRow(m_criterionLabel, m_criterion);
    pruneForm->addRow(m_modeLabel, m_mode);
    pruneForm->addRow(m_valueLabel, valueRow);
    pruneForm->addRow(QString(), stepRow);

    // Encoding
    m_quantBox = new QGroupBox(this);
    m_scheme = new QComboBox(m_quantBox);
    m_scheme->setObjectName(QStringLiteral("quantScheme"));
    for (QuantScheme s : kSchemes)
        m_scheme->addItem(QString(), static_cast<int>(s));
    m_bits = new QSpinBox(m_quantBox);
    m_bits->setObjectName(QStringLiteral("quantBits"));
    m_bits->setKeyboardTracking(false);
    m_symmetric = new QCheckBox(m_quantBox);
    m_symmetric->setObjectName(QStringLiteral("quantSymmetric"));
    m_perChannel = new QCheckBox(m_quantBox);
    m_perChannel->setObjectName(QStringLiteral("quantPerChannel"));
    m_schemeLabel = new QLabel(m_quantBox);
    m_bitsLabel = new QLabel(m_quantBox);
    m_schemeLabel->setBuddy(m_scheme);
    m_bitsLabel->setBuddy(m_bits);
    auto* flags = new QHBoxLayout;
    flags->addWidget(m_symmetric);
    flags->addWidget(m_perChannel);
    flags->addStretch(1);
    m_range = new QComboBox(m_quantBox);
    m_range->setObjectName(QStringLiteral("quantRange"));
    for (QuantRange r : {QuantRange::MinMax, QuantRange::Mse})
        m_range->addItem(QString(), static_cast<int>(r));
    m_rangeLabel = new QLabel(m_quantBox);
    m_rangeLabel->setBuddy(m_range);
    auto* quantForm = new QFormLayout(m_quantBox);
    quantForm->addRow(m_schemeLabel, m_scheme);
    quantForm->addRow(m_bitsLabel, m_bits);
    quantForm->addRow(flags);
    quantForm->addRow(m_rangeLabel, m_range);

    // Low rank
    m_rankBox = new QGroupBox(this);
    m_rank = new QSpinBox(m_rankBox);
    m_rank->setObjectName(QStringLiteral("lowRank"));
    m_rank->setKeyboardTracking(false);
    m_rankLabel = new QLabel(m_rankBox);
    m_rankLabel->setBuddy(m_rank);
    auto* rankForm = new QFormLayout(m_rankBox);
    rankForm->addRow(m_rankLabel, m_rank);

    // Input activations
    m_actBox = new QGroupBox(this);
    m_act = new QComboBox(m_actBox);
    m_act->setObjectName(QStringLiteral("activationBits"));
    for (int i = kActFloat; i <= kActInt8; ++i)
        m_act->addItem(QString(), i);
    m_method = new QComboBox(m_actBox);
    m_method->setObjectName(QStringLiteral("calibrationMethod"));
    for (CalibrationMethod m : kMethods)
        m_method->addItem(QString(), static_cast<int>(m));
    // Long item names must not widen the inspector's column (the window fits 1366x768).
    for (QComboBox* box : {m_range, m_act, m_method}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(12);
    }
    m_actLabel = new QLabel(m_actBox);
    m_methodLabel = new QLabel(m_actBox);
    m_actLabel->setBuddy(m_act);
    m_methodLabel->setBuddy(m_method);
    m_calibrationStatus = new QLabel(m_actBox);
    m_calibrationStatus->setObjectName(QStringLiteral("calibrationStatus"));
    m_calibrationStatus->setWordWrap(true);
    m_calibrationStatus->hide();
    m_cancelCalibration = new QToolButton(m_actBox);
    m_cancelCalibration->setObjectName(QStringLiteral("cancelCalibration"));
    m_cancelCalibration->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_cancelCalibration->hide();
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(m_calibrationStatus, 1);
    statusRow->addWidget(m_cancelCalibration, 0, Qt::AlignTop);
    auto* actForm = new QFormLayout(m_actBox);
    actForm->addRow(m_actLabel, m_act);
    actForm->addRow(m_methodLabel, m_method);
    actForm->addRow(statusRow);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pruneBox);
    layout->addWidget(m_quantBox);
    layout->addWidget(m_actBox);
    layout->addWidget(m_rankBox);
    layout->addStretch(1);

    connect(m_slider, &QSlider::valueChanged, this, &LayerControls::onSliderMoved);
    connect(m_slider, &QSlider::sliderReleased, this, &LayerControls::onSliderReleased);
    connect(m_value, &QDoubleSpinBox::valueChanged, this, &LayerControls::onSpinChanged);
    for (QComboBox* box : {m_granularity, m_criterion, m_mode})
        connect(box, &QComboBox::currentIndexChanged, this, &LayerControls::onPruneShapeChanged);
    connect(m_scheme, &QComboBox::currentIndexChanged, this, &LayerControls::onQuantChanged);
    connect(m_bits, &QSpinBox::valueChanged, this, &LayerControls::onQuantChanged);
    connect(m_symmetric, &QCheckBox::toggled, this, &LayerControls::onQuantChanged);
    connect(m_perChannel, &QCheckBox::toggled, this, &LayerControls::onQuantChanged);
    connect(m_range, &QComboBox::currentIndexChanged, this, &LayerControls::onQuantChanged);
    connect(m_rank, &QSpinBox::valueChanged, this, &LayerControls::onRankChanged);
    connect(m_act, &QComboBox::currentIndexChanged, this, &LayerControls::onActivationChanged);
    connect(m_cancelCalibration, &QToolButton::clicked, this, &LayerControls::calibrationCancelRequested);
    connect(m_method, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updating)
            emit calibrationMethodEdited(calibrationMethod());
    });
    connect(m_step, &QToolButton::clicked, this, &LayerControls::onStepClicked);

    retranslateUi();
    clear();
}

void LayerControls::retranslateUi()
{
    m_pruneBox->setTitle(tr("Pruning"));
    m_granularityLabel->setText(tr("&Prune:"));
    m_granularity->setItemText(0, tr("Nothing"));
    m_granularity->setItemText(1, tr("Single weights"));
    m_granularity->setItemText(2, tr("Whole filters"));
    m_granularity->setToolTip(tr("Prune nothing, individual weights (zeroed in place) or whole filters (removed "
                                 "together with the channels coupled to them)."));
    m_criterionLabel->setText(tr("&Rank by:"));
    const QString criterionNames[] = {tr("L1 norm"), tr("L2 norm"), tr("FPGM"), tr("APoZ"), tr("BN scale"),
                                      tr("Random"), QStringLiteral("Taylor")};
    for (int i = 0; i < m_criterion->count(); ++i)
        m_criterion->setItemText(i, criterionNames[i]);
    m_criterion->setToolTip(tr("How filters are scored; the lowest-scored filters are pruned first."));
    m_modeLabel->setText(tr("&Cut by:"));
    m_mode->setItemText(0, tr("Ratio"));
    m_mode->setItemText(1, tr("Threshold"));
    m_mode->setItemText(2, tr("Mean + k·std"));
    m_mode->setToolTip(tr("Prune a fraction of the weights or filters, everything scored below a threshold, or "
                          "everything below mean + k standard deviations of the scores."));
    m_valueLabel->setText(tr("&Value:"));
    m_slider->setToolTip(tr("Drag to change how much of the layer is pruned; the plan updates as you drag."));
    m_value->setToolTip(tr("The pruning ratio, threshold or k, typed exactly."));
    m_step->setText(m_stepping ? tr("Stop") : tr("Step"));
    m_step->setToolTip(m_stepping ? tr("Stop the animation where it is.")
                                  : tr("Animate the ratio from 0 up to this value, step by step, so every view "
                                       "and the accuracy can be watched changing together."));

    m_quantBox->setTitle(tr("Weight encoding"));
    m_schemeLabel->setText(tr("&Encoding:"));
    const QString schemeNames[] = {tr("Float32 (unchanged)"), tr("Float16"), tr("Uniform integer"),
                                   tr("Codebook (k-means)"), tr("Binary"), tr("Ternary")};
    for (int i = 0; i < m_scheme->count(); ++i)
        m_scheme->setItemText(i, schemeNames[i]);
    m_scheme->setToolTip(tr("How the layer's weights are stored: floats, a uniform integer grid, a k-means codebook, "
                            "or one or two scaled signs."));
    m_bitsLabel->setText(tr("&Bits:"));
    m_bits->setToolTip(tr("Bits per weight for uniform and codebook encodings."));
    m_symmetric->setText(tr("&Symmetric"));
    m_symmetric->setToolTip(tr("A grid centred on zero (signed integers) instead of one with a zero point."));
    m_perChannel->setText(tr("Per &channel"));
    m_perChannel->setToolTip(tr("One scale per output channel instead of one for the whole tensor."));
    m_rangeLabel->setText(tr("Ran&ge:"));
    m_range->setItemText(0, tr("Min/max"));
    m_range->setItemText(1, tr("Least error (MSE)"));
    m_range->setToolTip(tr("The integer grid spans the weights' min/max (nothing clipped), or the range with the "
                           "least quantization error (a few outliers clipped for finer steps)."));

    m_actBox->setTitle(tr("Input activations"));
    m_actLabel->setText(tr("Ac&tivations:"));
    m_act->setItemText(kActFloat, tr("Float"));
    m_act->setItemText(kActUint8, tr("8-bit uint8"));
    m_act->setItemText(kActInt8, tr("8-bit int8"));
    m_act->setToolTip(tr("Quantize the values this layer reads to 8 bits, per tensor, on a range calibrated on "
                         "images of the dataset, as ONNX Runtime's integer kernels compute: uint8 asymmetric (a zero "
                         "point from the range) or int8 symmetric (zero point 0)."));
    m_methodLabel->setText(tr("Ca&libration:"));
    const QString methodNames[] = {tr("Min/max"), tr("Percentile 99.99 %"), tr("Least error (MSE)"),
                                   tr("Entropy (KL)")};
    for (int i = 0; i < m_method->count(); ++i)
        m_method->setItemText(i, methodNames[i]);
    m_cancelCalibration->setText(tr("Cancel"));
    m_cancelCalibration->setToolTip(tr("Stop calibrating; the accuracy waits until the ranges are calibrated."));
    m_method->setToolTip(tr("How every 8-bit activation's range is chosen from the values seen on the calibration "
                            "images (one method for all layers); changing it calibrates again."));

    m_rankBox->setTitle(tr("Low rank"));
    m_rankLabel->setText(tr("R&ank:"));
    m_rank->setSpecialValueText(tr("off"));
    updateEnabled();
}

void LayerControls::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void LayerControls::clear()
{
    m_updating = true;
    m_hasLayer = false;
    m_limits = {};
    selectEnum(m_granularity, PruneGranularity::None);
    selectEnum(m_scheme, QuantScheme::Float32);
    m_shownScheme = QuantScheme::Float32;
    selectEnum(m_range, QuantRange::MinMax);
    m_act->setCurrentIndex(kActFloat);
    m_rank->setRange(0, 0);
    m_rank->setValue(0);
    updateValueRange();
    showValue(0.0);
    updateEnabled();
    m_updating = false;
}

void LayerControls::setSpec(const LayerSpec& spec, const LayerLimits& limits)
{
    m_updating = true;
    m_hasLayer = true;
    m_limits = limits;
    selectEnum(m_granularity, spec.prune.granularity);
    selectEnum(m_criterion, spec.prune.criterion);
    selectEnum(m_mode, spec.prune.mode);
    updateValueRange();
    showValue(spec.prune.value);

    selectEnum(m_scheme, spec.quant.scheme);
    m_shownScheme = spec.quant.scheme;
    m_symmetric->setChecked(spec.quant.symmetric);
    m_perChannel->setChecked(spec.quant.perChannel);
    selectEnum(m_range, spec.quant.range);
    m_act->setCurrentIndex(!spec.act.quantized() ? kActFloat : spec.act.symmetric ? kActInt8 : kActUint8);
    updateEnabled();  // sets the bits range for the scheme
    m_bits->setValue(spec.quant.bits);

    m_rank->setRange(0, static_cast<int>(std::min<int64_t>(limits.maxRank, 1 << 30)));
    m_rank->setValue(static_cast<int>(spec.lowRank.rank));
    m_updating = false;
}

PruneSpec LayerControls::pruneSpec() const
{
    PruneSpec spec;
    spec.granularity = currentEnum<PruneGranularity>(m_granularity);
    spec.criterion = currentEnum<Criterion>(m_criterion);
    spec.mode = currentEnum<PruneMode>(m_mode);
    spec.value = m_value->value();
    return spec;
}

QuantSpec LayerControls::quantSpec() const
{
    QuantSpec spec;
    spec.scheme = currentEnum<QuantScheme>(m_scheme);
    const int natural = naturalBits(spec.scheme);
    spec.bits = natural > 0 ? natural : m_bits->value();
    spec.symmetric = m_symmetric->isChecked();
    spec.perChannel = m_perChannel->isChecked();
    spec.range = currentEnum<QuantRange>(m_range);
    return spec;
}

ActivationSpec LayerControls::activationSpec() const
{
    const int choice = m_act->currentIndex();
    if (choice <= kActFloat)
        return {};
    return ActivationSpec{8, choice == kActInt8};
}

void LayerControls::setCalibrationMethod(CalibrationMethod method)
{
    const QSignalBlocker block(m_method);
    selectEnum(m_method, method);
}

void LayerControls::setCalibrationStatus(const QString& text, bool running)
{
    m_calibrationStatus->setText(text);
    m_calibrationStatus->setVisible(!text.isEmpty());
    m_cancelCalibration->setVisible(running);
}

QString LayerControls::calibrationStatus() const
{
    return m_calibrationStatus->text();
}

CalibrationMethod LayerControls::calibrationMethod() const
{
    return currentEnum<CalibrationMethod>(m_method);
}

LowRankSpec LayerControls::lowRankSpec() const
{
    return LowRankSpec{m_rank->value()};
}

double LayerControls::valueMinimum() const
{
    return currentEnum<PruneMode>(m_mode) == PruneMode::MeanStdRule ? -kMeanStdRange : 0.0;
}

double LayerControls::valueMaximum() const
{
    switch (currentEnum<PruneMode>(m_mode)) {
    case PruneMode::Ratio:
        return 1.0;
    case PruneMode::MeanStdRule:
        return kMeanStdRange;
    case PruneMode::Threshold:
        break;
    }
    double top = 1.0;
    if (currentEnum<PruneGranularity>(m_granularity) == PruneGranularity::Filter) {
        const int i = inspectedCriterionIndex(currentEnum<Criterion>(m_criterion));
        if (i >= 0 && m_limits.maxScore[static_cast<size_t>(i)] > 0.0)
            top = m_limits.maxScore[static_cast<size_t>(i)];
    } else if (m_limits.maxMagnitude > 0.0) {
        top = m_limits.maxMagnitude;
    }
    return top;
}

void LayerControls::updateValueRange()
{
    const double lo = valueMinimum();
    const double hi = valueMaximum();
    const bool ratio = currentEnum<PruneMode>(m_mode) == PruneMode::Ratio;
    // Enough decimals to show a hundredth of the range.
    const int decimals = ratio ? 3 : std::clamp(3 - static_cast<int>(std::floor(std::log10(hi - lo))), 2, 8);
    const QSignalBlocker block(m_value);
    m_value->setDecimals(decimals);
    m_value->setRange(lo, hi);
    m_value->setSingleStep((hi - lo) / 100.0);
}

double LayerControls::sliderToValue(int position) const
{
    const double lo = valueMinimum();
    const double hi = valueMaximum();
    return lo + (hi - lo) * static_cast<double>(position) / kSliderSteps;
}

int LayerControls::valueToSlider(double value) const
{
    const double lo = valueMinimum();
    const double hi = valueMaximum();
    if (!(hi > lo))
        return 0;
    return static_cast<int>(std::lround(std::clamp((value - lo) / (hi - lo), 0.0, 1.0) * kSliderSteps));
}

void LayerControls::showValue(double value)
{
    const QSignalBlocker blockSpin(m_value);
    m_value->setValue(value);
    // Never pull the handle from under the user's mouse.
    if (!m_slider->isSliderDown()) {
        const QSignalBlocker blockSlider(m_slider);
        m_slider->setValue(valueToSlider(value));
    }
}

void LayerControls::updateEnabled()
{
    const auto granularity = currentEnum<PruneGranularity>(m_granularity);
    const bool pruning = m_hasLayer && granularity != PruneGranularity::None;
    m_pruneBox->setEnabled(m_hasLayer);
    const bool ratio = currentEnum<PruneMode>(m_mode) == PruneMode::Ratio;
    m_granularity->setEnabled(!m_stepping);
    m_criterion->setEnabled(pruning && granularity == PruneGranularity::Filter && !m_stepping);
    m_mode->setEnabled(pruning && !m_stepping);
    m_slider->setEnabled(pruning && !m_stepping);
    m_value->setEnabled(pruning && !m_stepping);
    m_step->setEnabled(m_stepping || (pruning && ratio && m_value->value() > 0.0));

    // Whole filters only where the dependency group lets them go.
    const bool filterOk = m_limits.filterPrunable || granularity == PruneGranularity::Filter;
    setItemEnabled(m_granularity, 2, filterOk,
                   filterOk ? tr("Remove whole filters with the channels coupled to them.")
                            : tr("Filters of this layer cannot be removed: %1")
                                  .arg(QString::fromStdString(m_limits.filterReason)));
    for (int i = 0; i < m_criterion->count(); ++i) {
        const int k = inspectedCriterionIndex(static_cast<Criterion>(m_criterion->itemData(i).toInt()));
        const QString reason = k >= 0 ? QString::fromStdString(m_limits.criterionReason[static_cast<size_t>(k)])
                                      : QString();
        const bool current = i == m_criterion->currentIndex();
        setItemEnabled(m_criterion, i, reason.isEmpty() || current,
                       reason.isEmpty() ? tr("Rank filters by %1.").arg(m_criterion->itemText(i)) : reason);
    }

    const auto scheme = currentEnum<QuantScheme>(m_scheme);
    const bool uniform = scheme == QuantScheme::Uniform;
    m_quantBox->setEnabled(m_hasLayer);
    m_bits->setEnabled(uniform || scheme == QuantScheme::Codebook);
    m_symmetric->setEnabled(uniform);
    m_perChannel->setEnabled(uniform);
    m_range->setEnabled(uniform);
    {
        const QSignalBlocker block(m_bits);
        const int natural = naturalBits(scheme);
        if (natural > 0)
            m_bits->setRange(natural, natural);
        else if (uniform)
            m_bits->setRange(m_symmetric->isChecked() ? 2 : 1, 16);
        else
            m_bits->setRange(1, 8);
    }

    // The box stays enabled for the calibration status, which is the plan's, not the layer's.
    m_act->setEnabled(m_hasLayer);
    m_method->setEnabled(m_hasLayer && m_act->currentIndex() != kActFloat);

    m_rankBox->setEnabled(m_hasLayer && m_limits.maxRank > 0);
    m_rank->setToolTip(m_limits.maxRank > 0
                           ? tr("Factor the layer into two of rank r (at most %1); 0 leaves it whole.").arg(m_limits.maxRank)
                           : m_hasLayer ? QString::fromStdString(m_limits.lowRankReason)
                                        : tr("Factor the layer into two thinner ones of this rank; 0 leaves it whole."));
}

void LayerControls::onSliderMoved(int position)
{
    if (m_updating)
        return;
    const double value = sliderToValue(position);
    {
        const QSignalBlocker block(m_value);
        m_value->setValue(value);
    }
    emit pruneEdited(pruneSpec(), m_slider->isSliderDown());
}

void LayerControls::onSliderReleased()
{
    if (m_updating)
        return;
    emit pruneEdited(pruneSpec(), false);
}

void LayerControls::onSpinChanged(double value)
{
    if (m_updating)
        return;
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(valueToSlider(value));
    }
    emit pruneEdited(pruneSpec(), false);
}

void LayerControls::onPruneShapeChanged()
{
    if (m_updating)
        return;
    // Keep the value where it still means something; clamp it into the new range.
    const double previous = m_value->value();
    updateValueRange();
    updateEnabled();
    showValue(std::clamp(previous, valueMinimum(), valueMaximum()));
    emit pruneEdited(pruneSpec(), false);
}

void LayerControls::onQuantChanged()
{
    if (m_updating)
        return;
    const auto scheme = currentEnum<QuantScheme>(m_scheme);
    const bool fromFixedBits = naturalBits(m_shownScheme) > 0 && naturalBits(scheme) == 0;
    m_shownScheme = scheme;
    updateEnabled();
    if (fromFixedBits) {
        // Leaving float/binary/ternary: start from a common width, not the old 32 clamped to 16.
        const QSignalBlocker block(m_bits);
        m_bits->setValue(scheme == QuantScheme::Uniform ? 8 : 4);
    }
    emit quantEdited(quantSpec());
}

void LayerControls::setStepping(bool stepping)
{
    if (m_stepping == stepping)
        return;
    m_stepping = stepping;
    retranslateUi(); // the button's text and tooltip, and updateEnabled()
}

void LayerControls::onStepClicked()
{
    if (m_stepping)
        emit stepStopRequested();
    else if (m_hasLayer)
        emit stepRequested(pruneSpec());
}

void LayerControls::onActivationChanged()
{
    if (m_updating)
        return;
    updateEnabled();
    emit activationEdited(activationSpec());
}

void LayerControls::onRankChanged()
{
    if (m_updating)
        return;
    emit lowRankEdited(lowRankSpec());
}

} // namespace topiary
