// The language of the interface. By default the system locale's; Edit > Preferences saves
// a choice that wins over it, and TOPIARY_LANGUAGE wins over both (screenshots, tests, or
// a user trying another language once). Switching installs the new translators at once:
// Qt sends every widget a LanguageChange and each retranslates itself, so no restart.
#pragma once

#include <QList>
#include <QString>

namespace topiary {

struct LanguageOption {
    QString code; // "" = follow the system, "en" = the untranslated English, "zh_CN"...
    QString name; // in its own language ("简体中文"), for the Preferences list
};

// "" (system), "en" and every translation built into the program.
QList<LanguageOption> availableLanguages();

// The saved choice ("" when none), and saving one.
QString savedLanguage();
void saveLanguage(const QString& code);

// The language in effect at start: TOPIARY_LANGUAGE, else the saved choice, else "".
QString startupLanguage();

// Replaces Topiary's and Qt's translators with those of `code` ("" = the system locale).
// Unknown codes and English install none. Returns the code now in effect.
QString applyLanguage(const QString& code);
QString currentLanguage();

} // namespace topiary
