// Edit > Preferences: the interface language and the theme. Changes apply as they are
// chosen (the window retranslates or recolours at once) and are remembered; Close
// dismisses the dialog. The dialog only collects choices: MainWindow applies them.
#pragma once

#include "Theme.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QPushButton;
class QLabel;

namespace topiary {

class PreferencesDialog : public QDialog {
    Q_OBJECT

public:
    explicit PreferencesDialog(QWidget* parent = nullptr);

    // Shows these as chosen; never emits.
    void setChoices(const QString& language, Theme theme);

    QComboBox* languageBox() const { return m_language; }
    QComboBox* themeBox() const { return m_theme; }

signals:
    void languageChosen(const QString& code);
    void themeChosen(topiary::Theme theme);

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();

    QLabel* m_languageLabel = nullptr;
    QComboBox* m_language = nullptr;
    QLabel* m_languageNote = nullptr;
    QLabel* m_themeLabel = nullptr;
    QComboBox* m_theme = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QPushButton* m_close = nullptr;
    bool m_updating = false;
};

} // namespace topiary
