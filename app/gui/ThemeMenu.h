// View > Theme: System, Light or Dark, one checked. Choosing one applies it at once and
// remembers it in the settings; at start the remembered one is applied.
#pragma once

#include "Theme.h"

#include <QMenu>

namespace topiary {

class ThemeMenu : public QMenu {
    Q_OBJECT

public:
    explicit ThemeMenu(QWidget* parent = nullptr);

    // As if the user chose it in the menu (Preferences uses this).
    void choose(Theme theme);
    static Theme saved();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();

    QAction* m_actions[3] = {};
};

} // namespace topiary
