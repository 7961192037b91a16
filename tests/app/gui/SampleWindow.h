// For the window tests: the settings they run under, and opening the bundled sample in
// a MainWindow (shown at 1366x768 where the layout matters), waiting until it is loaded
// or failed to load, so each test starts from the same document.
#pragma once

#include "MainWindow.h"

#include <QLocale>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

namespace topiary::test {

inline constexpr int kSampleLoadTimeoutMs = 20000;

// True when the sample loaded.
inline bool openSample(MainWindow& window)
{
    QSignalSpy finished(&window, &MainWindow::loadFinished);
    window.openSample();
    if (finished.isEmpty() && !finished.wait(kSampleLoadTimeoutMs))
        return false;
    return finished.takeFirst().at(0).toBool();
}

// Settings of no real user, and English numbers (for the texts tests read); call from
// initTestCase.
inline void useTestSettings()
{
    QStandardPaths::setTestModeEnabled(true);
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

// Shows the window at the smallest screen size Topiary supports, then opens the sample.
inline bool showSampleAt1366x768(MainWindow& window)
{
    window.resize(1366, 768);
    window.show();
    return QTest::qWaitForWindowExposed(&window) && openSample(window);
}

} // namespace topiary::test
