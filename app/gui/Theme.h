// Light and dark palettes for the whole application (View > Theme). "System" keeps the
// platform's style and palette; Light and Dark use the Fusion style with a fixed palette,
// so plots and the graph read the same colours on every desktop.
#pragma once

#include <QString>

namespace topiary {

enum class Theme { System, Light, Dark };

void applyTheme(Theme theme);
Theme themeFromName(const QString& name); // unknown names: System
QString themeName(Theme theme);           // for QSettings

} // namespace topiary
