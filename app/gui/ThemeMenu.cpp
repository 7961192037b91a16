#include "ThemeMenu.h"

#include <QActionGroup>
#include <QEvent>
#include <QSettings>

namespace topiary {

namespace {
const QString themeKey = QStringLiteral("appearance/theme");
} // namespace

ThemeMenu::ThemeMenu(QWidget* parent)
    : QMenu(parent)
{
    auto* themes = new QActionGroup(this);
    for (int i = 0; i < 3; ++i) {
        m_actions[i] = addAction(QString());
        m_actions[i]->setCheckable(true);
        themes->addAction(m_actions[i]);
        connect(m_actions[i], &QAction::triggered, this, [i] {
            applyTheme(static_cast<Theme>(i));
            QSettings().setValue(themeKey, themeName(static_cast<Theme>(i)));
        });
    }
    const Theme theme = saved();
    m_actions[static_cast<int>(theme)]->setChecked(true);
    if (theme != Theme::System)
        applyTheme(theme);
    retranslateUi();
}

Theme ThemeMenu::saved()
{
    return themeFromName(QSettings().value(themeKey).toString());
}

void ThemeMenu::choose(Theme theme)
{
    m_actions[static_cast<int>(theme)]->trigger(); // applies, saves and checks the menu
}

void ThemeMenu::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QMenu::changeEvent(event);
}

void ThemeMenu::retranslateUi()
{
    setTitle(tr("&Theme"));
    m_actions[0]->setText(tr("&System"));
    m_actions[0]->setStatusTip(tr("Use the desktop's own style and colours"));
    m_actions[1]->setText(tr("&Light"));
    m_actions[1]->setStatusTip(tr("Dark text on a light background"));
    m_actions[2]->setText(tr("&Dark"));
    m_actions[2]->setStatusTip(tr("Light text on a dark background, easier on the eyes in a dim room"));
}

} // namespace topiary
