#include "widgets/PreprocessForm.h"

#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSpinBox>

#include <cmath>
#include <optional>
#include <tuple>

namespace topiary {

namespace {

QString numberList(const std::vector<double>& values)
{
    QStringList parts;
    for (double v : values)
        parts << QString::number(v, 'g', QLocale::FloatingPointShortest); // reads back as the same double
    return parts.join(QStringLiteral(", "));
}

// "0.485, 0.456 0.406" -> numbers; nullopt when a part is not a number.
std::optional<std::vector<double>> parseNumbers(const QString& text)
{
    std::vector<double> out;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    for (const QString& part : parts) {
        bool ok = false;
        const double v = part.toDouble(&ok);
        if (!ok || !std::isfinite(v))
            return std::nullopt;
        out.push_back(v);
    }
    return out;
}

} // namespace

QString PreprocessForm::sourceName(const QString& source)
{
    // The core's words for where a value came from, in the user's language; a file by its name.
    if (source == u"the model's metadata")
        return tr("the model's metadata");
    if (source == u"the model's input shape")
        return tr("the model's input shape");
    if (source == u"default")
        return tr("default");
    if (source == u"ImageNet default for 3 channels")
        return tr("ImageNet default for 3 channels");
    if (source == u"the preprocessing in use")
        return tr("the preprocessing in use");
    if (source.startsWith(u"torchvision"))
        return tr("torchvision's 256/224 resize rule");
    if (source.contains(QLatin1Char('/')))
        return QFileInfo(source).fileName();
    return source;
}

PreprocessForm::PreprocessForm(QWidget* parent)
    : QWidget(parent)
{
    m_form = new QFormLayout(this);
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_channels = new QComboBox(this);
    m_channels->addItem(QString(), 1);
    m_channels->addItem(QString(), 3);
    m_height = new QSpinBox(this);
    m_width = new QSpinBox(this);
    m_resize = new QSpinBox(this);
    for (QSpinBox* box : { m_height, m_width, m_resize }) {
        box->setRange(box == m_resize ? 0 : 1, kMaxImageSide);
        box->setKeyboardTracking(false);
    }
    m_height->setObjectName(QStringLiteral("preprocessHeight"));
    m_interpolation = new QComboBox(this);
    for (auto i : { Interpolation::Bilinear, Interpolation::Nearest, Interpolation::Bicubic, Interpolation::Area })
        m_interpolation->addItem(QString(), static_cast<int>(i));
    m_colorOrder = new QComboBox(this);
    m_colorOrder->addItem(QStringLiteral("RGB"), static_cast<int>(ColorOrder::Rgb));
    m_colorOrder->addItem(QStringLiteral("BGR"), static_cast<int>(ColorOrder::Bgr));
    m_scale = new QLineEdit(this);
    m_scale->setObjectName(QStringLiteral("preprocessScale"));
    m_mean = new QLineEdit(this);
    m_mean->setObjectName(QStringLiteral("preprocessMean"));
    m_std = new QLineEdit(this);
    m_std->setObjectName(QStringLiteral("preprocessStd"));
    m_classes = new QPlainTextEdit(this);
    m_classes->setObjectName(QStringLiteral("preprocessClasses"));
    m_classes->setTabChangesFocus(true);
    m_classes->setFixedHeight(m_classes->fontMetrics().lineSpacing() * 3 + 12);

    addRow("channels", m_channels);
    auto* size = new QWidget(this);
    auto* sizeRow = new QHBoxLayout(size);
    sizeRow->setContentsMargins(0, 0, 0, 0);
    sizeRow->addWidget(m_height);
    sizeRow->addWidget(new QLabel(QStringLiteral("×"), size));
    sizeRow->addWidget(m_width);
    addRow("height", size);
    addRow("resize", m_resize);
    addRow("interpolation", m_interpolation);
    addRow("color_order", m_colorOrder);
    addRow("scale", m_scale);
    addRow("mean", m_mean);
    addRow("std", m_std);
    addRow("classes", m_classes);

    auto connectEdit = [this](const char* field, auto* widget, auto signal) {
        connect(widget, signal, this, [this, field] {
            if (!m_setting)
                markEdited(field);
        });
    };
    connectEdit("channels", m_channels, qOverload<int>(&QComboBox::activated));
    connectEdit("height", m_height, qOverload<int>(&QSpinBox::valueChanged));
    connectEdit("width", m_width, qOverload<int>(&QSpinBox::valueChanged));
    connectEdit("resize", m_resize, qOverload<int>(&QSpinBox::valueChanged));
    connectEdit("interpolation", m_interpolation, qOverload<int>(&QComboBox::activated));
    connectEdit("color_order", m_colorOrder, qOverload<int>(&QComboBox::activated));
    connectEdit("scale", m_scale, &QLineEdit::editingFinished);
    connectEdit("mean", m_mean, &QLineEdit::editingFinished);
    connectEdit("std", m_std, &QLineEdit::editingFinished);
    connectEdit("classes", m_classes, &QPlainTextEdit::textChanged);
    retranslateUi();
}

QLabel* PreprocessForm::addRow(const char* field, QWidget* editor)
{
    auto* row = new QWidget(this);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(editor, 1);
    auto* source = new QLabel(row);
    source->setObjectName(QStringLiteral("source_") + QLatin1String(field));
    source->setEnabled(false); // greyed: a note, not a value
    source->setWordWrap(true);
    source->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("from preprocess.json")) + 4);
    source->setMaximumWidth(source->minimumWidth() + 40);
    source->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(source);
    m_form->addRow(new QLabel(this), row); // its text is set by retranslateUi()
    m_sourceLabels.emplace_back(field, source);
    return source;
}

void PreprocessForm::setSpec(const PreprocessSpec& spec, const std::vector<std::pair<std::string, std::string>>& sources)
{
    m_setting = true;
    m_inputName = spec.inputName;
    m_channels->setCurrentIndex(spec.channels == 1 ? 0 : 1);
    m_height->setValue(spec.height);
    m_width->setValue(spec.width);
    m_resize->setValue(spec.resize);
    m_interpolation->setCurrentIndex(m_interpolation->findData(static_cast<int>(spec.interpolation)));
    m_colorOrder->setCurrentIndex(m_colorOrder->findData(static_cast<int>(spec.colorOrder)));
    // The shortest text that reads back as the same double: 1/255 must stay 1/255.
    m_scale->setText(QString::number(spec.scale, 'g', QLocale::FloatingPointShortest));
    m_mean->setText(numberList(spec.mean));
    m_std->setText(numberList(spec.stddev));
    QStringList classes;
    for (const auto& name : spec.classes)
        classes << QString::fromStdString(name);
    m_classes->setPlainText(classes.join(QStringLiteral(", ")));
    m_sources.clear();
    for (const auto& [field, source] : sources)
        m_sources.emplace_back(field, QString::fromStdString(source));
    m_setting = false;
    retranslateUi();
}

Result<PreprocessSpec> PreprocessForm::spec() const
{
    PreprocessSpec spec;
    spec.inputName = m_inputName;
    spec.channels = m_channels->currentData().toInt();
    spec.height = m_height->value();
    spec.width = m_width->value();
    spec.resize = m_resize->value();
    spec.interpolation = static_cast<Interpolation>(m_interpolation->currentData().toInt());
    spec.colorOrder = static_cast<ColorOrder>(m_colorOrder->currentData().toInt());
    bool ok = false;
    spec.scale = m_scale->text().trimmed().toDouble(&ok);
    if (!ok)
        return fail(tr("Scale: '%1' is not a number").arg(m_scale->text()).toStdString());
    for (auto [edit, target, name] : { std::tuple { m_mean, &spec.mean, tr("Mean") },
             std::tuple { m_std, &spec.stddev, tr("Std") } }) {
        auto values = parseNumbers(edit->text());
        if (!values || values->empty())
            return fail(tr("%1: expected numbers separated by commas, one per channel or one for all")
                            .arg(name)
                            .toStdString());
        *target = std::move(*values);
    }
    const QStringList names
        = m_classes->toPlainText().split(QRegularExpression(QStringLiteral("\\s*[,\\n]\\s*")), Qt::SkipEmptyParts);
    for (const QString& name : names)
        spec.classes.push_back(name.trimmed().toStdString());
    if (auto checked = checkPreprocess(spec); !checked)
        return std::unexpected(checked.error());
    return spec;
}

QString PreprocessForm::sourceText(const QString& field) const
{
    for (const auto& [key, label] : m_sourceLabels)
        if (QString::fromStdString(key) == field)
            return label->text();
    if (field == u"width")
        return sourceText(QStringLiteral("height"));
    return {};
}

void PreprocessForm::markEdited(const char* field)
{
    bool found = false;
    for (auto& [key, source] : m_sources)
        if (key == field) {
            source.clear();
            found = true;
        }
    if (!found)
        m_sources.emplace_back(field, QString());
    retranslateUi();
    emit edited();
}

void PreprocessForm::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void PreprocessForm::retranslateUi()
{
    m_channels->setItemText(0, tr("1 (grayscale)"));
    m_channels->setItemText(1, tr("3 (colour)"));
    m_interpolation->setItemText(0, tr("bilinear"));
    m_interpolation->setItemText(1, tr("nearest"));
    m_interpolation->setItemText(2, tr("bicubic"));
    m_interpolation->setItemText(3, tr("area"));
    m_resize->setSpecialValueText(tr("stretch to the size"));
    m_resize->setToolTip(tr("The shorter side is resized to this, then the centre is cropped to height × width "
                            "(torchvision's Resize then CenterCrop). 0 stretches the image to the size instead."));
    m_scale->setToolTip(tr("Pixels (0 to 255) are multiplied by this first: 1/255 = 0.00392156862745098 maps them "
                           "to 0 to 1."));
    m_mean->setToolTip(tr("Subtracted after scaling: one value per channel in the model's channel order, or one "
                          "for all."));
    m_std->setToolTip(tr("Divided by after subtracting the mean: one positive value per channel, or one for all."));
    m_classes->setToolTip(tr("The names of the model's outputs, in order, separated by commas or lines. Image "
                             "lists map their label names through them."));
    m_colorOrder->setToolTip(tr("The channel order the model expects: RGB for torchvision models, BGR for "
                                "models trained with OpenCV."));
    const QString captions[] = { tr("Channels:"), tr("Size (height × width):"), tr("Resize shorter side:"),
        tr("Interpolation:"), tr("Channel order:"), tr("Scale:"), tr("Mean:"), tr("Std:"), tr("Class names:") };
    for (int i = 0; i < m_form->rowCount(); ++i)
        if (auto* item = m_form->itemAt(i, QFormLayout::LabelRole))
            if (auto* label = qobject_cast<QLabel*>(item->widget()))
                label->setText(i < 9 ? captions[i] : QString());
    for (size_t i = 0; i < m_sourceLabels.size(); ++i) {
        const std::string& field = m_sourceLabels[i].first;
        QString source;
        bool known = false;
        for (const auto& [key, value] : m_sources)
            if (key == field || (field == "height" && key == "width" && value.isEmpty())) {
                source = value;
                known = true;
            }
        QLabel* label = m_sourceLabels[i].second;
        if (!known)
            label->setText(QString());
        else if (source.isEmpty())
            label->setText(tr("edited"));
        else
            label->setText(tr("from %1").arg(sourceName(source)));
        label->setToolTip(known && !source.isEmpty() ? tr("from %1").arg(source) : label->text());
    }
}

} // namespace topiary
