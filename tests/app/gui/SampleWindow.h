// For the window tests: open the bundled sample in a MainWindow and wait until it is
// loaded (or failed to load), so each test starts from the same document.
#pragma once

#include "MainWindow.h"

#include <QSignalSpy>

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

} // namespace topiary::test
