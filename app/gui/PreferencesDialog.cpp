#include "PreferencesDialog.h"

#include "Language.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace topiary {

PreferencesDialog::PreferencesDialog(QWidget* parent)
    : QDialog(parent)
    , m_languageLabel(new QLabel(this))
    , m_language(new QComboBox(this))
    , m_languageNote(new QLabel(this))
    , m_themeLabel(new QLabel(this))
    , m_theme(new QComboBox(this))
    , m_buttons(new QDialogButtonBox(this))
{
    setObjectName(QStringLiteral("preferencesDialog"));
    // Our own Close button, not QDialogButtonBox::Close: the standard one takes its text
    // from qtbase translations (often not installed) and resets it on every language change.
    m_close = m_buttons->addButton(QString(), QDialogButtonBox::RejectRole);
    m_close->setObjectName(QStringLiteral("closeButton"));
    m_language->setObjectName(QStringLiteral("languageBox"));
    m_theme->setObjectName(QStringLiteral("themeBox"));
    for (const LanguageOption& option : availableLanguages())
        m_language->addItem(option.name, option.code);
    for (int i = 0; i < 3; ++i)
        m_theme->addItem(QString(), i);
    m_languageLabel->setBuddy(m_language);
    m_themeLabel->setBuddy(m_theme);
    m_languageNote->setWordWrap(true);
    // A wrapped label's height depends on its width; without a floor on both, a larger
    // font (presentation mode, Chinese) left its last line cut off.
    m_languageNote->setMinimumWidth(m_languageNote->fontMetrics().averageCharWidth() * 40);
    m_languageNote->setForegroundRole(QPalette::PlaceholderText);

    auto* form = new QFormLayout;
    form->addRow(m_languageLabel, m_language);
    form->addRow(QString(), m_languageNote);
    form->addRow(m_themeLabel, m_theme);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1);
    layout->addWidget(m_buttons);
    layout->setSizeConstraint(QLayout::SetMinimumSize);

    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_language, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updating)
            emit languageChosen(m_language->currentData().toString());
    });
    connect(m_theme, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updating)
            emit themeChosen(static_cast<Theme>(m_theme->currentData().toInt()));
    });
    retranslateUi();
}

void PreferencesDialog::setChoices(const QString& language, Theme theme)
{
    m_updating = true;
    m_language->setCurrentIndex(std::max(0, m_language->findData(language)));
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(static_cast<int>(theme))));
    m_updating = false;
}

void PreferencesDialog::retranslateUi()
{
    setWindowTitle(tr("Preferences"));
    m_languageLabel->setText(tr("&Language:"));
    m_language->setItemText(0, tr("System default"));
    m_language->setToolTip(tr("The language of menus, panels and messages; it changes at once."));
    m_languageNote->setText(tr("Layer and operator names stay as the model has them. The environment variable "
                               "TOPIARY_LANGUAGE, when set, wins over this choice at start."));
    m_themeLabel->setText(tr("&Theme:"));
    m_theme->setItemText(0, tr("System"));
    m_theme->setItemText(1, tr("Light"));
    m_theme->setItemText(2, tr("Dark"));
    m_theme->setToolTip(tr("The desktop's own colours, or a fixed light or dark palette."));
    m_close->setText(tr("Close"));
    m_close->setToolTip(tr("Close; the choices are already applied and saved."));
}

void PreferencesDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

} // namespace topiary
