#include "Language.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace topiary {

namespace {

const QString languageKey = QStringLiteral("appearance/language");
constexpr char kEnvironment[] = "TOPIARY_LANGUAGE";

struct Installed {
    std::unique_ptr<QTranslator> qt;
    std::unique_ptr<QTranslator> own;
    QString code;
};

Installed& installed()
{
    static Installed state;
    return state;
}

void removeInstalled()
{
    Installed& state = installed();
    for (auto* translator : {state.qt.get(), state.own.get()})
        if (translator)
            QCoreApplication::removeTranslator(translator);
    state.qt.reset();
    state.own.reset();
}

} // namespace

QList<LanguageOption> availableLanguages()
{
    QList<LanguageOption> options {
        { QString(), QString() }, // named by the Preferences dialog, in the current language
        { QStringLiteral("en"), QStringLiteral("English") },
    };
    // Each embedded topiary_<code>.qm is a language; its name in its own words.
    const QStringList files = QDir(QStringLiteral(":/i18n")).entryList({ QStringLiteral("topiary_*.qm") }, QDir::Files, QDir::Name);
    for (const QString& file : files) {
        const QString code = file.mid(8, file.size() - 8 - 3);
        const QLocale locale(code);
        QString name = locale.nativeLanguageName();
        if (locale.language() == QLocale::Chinese && locale.script() != QLocale::TraditionalChineseScript
            && (locale.territory() == QLocale::China || locale.script() == QLocale::SimplifiedChineseScript))
            name = QStringLiteral("简体中文");
        options.append({ code, name.isEmpty() ? code : name });
    }
    return options;
}

QString savedLanguage()
{
    return QSettings().value(languageKey).toString();
}

void saveLanguage(const QString& code)
{
    if (code.isEmpty())
        QSettings().remove(languageKey);
    else
        QSettings().setValue(languageKey, code);
}

QString startupLanguage()
{
    const QByteArray requested = qgetenv(kEnvironment);
    return requested.isEmpty() ? savedLanguage() : QString::fromLocal8Bit(requested);
}

QString applyLanguage(const QString& code)
{
    removeInstalled();
    Installed& state = installed();
    state.code = code;
    const QLocale locale = code.isEmpty() ? QLocale::system() : QLocale(code);
    QLocale::setDefault(code.isEmpty() || locale.language() == QLocale::C ? QLocale::system() : locale);
    if (locale.language() == QLocale::English || locale.language() == QLocale::C) {
        // Nothing to install; the removal above already sent LanguageChange if needed.
        return code;
    }
    // Qt's own dialogs and context menus from qtbase_<lang>.qm when the system has it;
    // ours from the embedded :/i18n/topiary_<lang>.qm.
    auto qt = std::make_unique<QTranslator>();
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qt.get());
        state.qt = std::move(qt);
    }
    auto own = std::make_unique<QTranslator>();
    if (own->load(locale, QStringLiteral("topiary"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(own.get());
        state.own = std::move(own);
    }
    return code;
}

QString currentLanguage()
{
    return installed().code;
}

} // namespace topiary
