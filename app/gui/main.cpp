// topiary: the desktop workbench. Parses the command line and shows the main window;
// everything else lives in MainWindow and the libraries below it.
#include "CommandLine.h"
#include "Language.h"
#include "LiveEvaluation.h"
#include "MainWindow.h"

#include <QApplication>
#include <QFileInfo>
#include <QIcon>
#include <QPixmap>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

void setApplicationInfo()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Topiary"));
    QCoreApplication::setApplicationName(QStringLiteral("Topiary"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TOPIARY_VERSION));
}

// --help and --version print and exit; they must work without a display (man-page
// generation, packaging checks), so they are answered before any QApplication exists.
bool wantsTextOnly(int argc, char* argv[])
{
    for (int i = 1; i < argc; ++i) {
        for (const char* option : {"-h", "--help", "-?", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], option) == 0)
                return true;
    }
    return false;
}

// Screenshots run unattended: no modal dialog, a fixed size, and the outcome as exit code.
void takeScreenshotWhenLoaded(topiary::MainWindow& window, const QString& file)
{
    window.setShowErrorDialogs(false);
    window.resize(1200, 720);
    QObject::connect(&window, &topiary::MainWindow::loadFailed, &window,
                     [](const QString& message) { std::fprintf(stderr, "%s\n", qPrintable(message)); });
    QObject::connect(&window, &topiary::MainWindow::loadFinished, &window, [&window, file](bool ok) {
        // Let the layout settle, the table paint and the accuracy estimate (if any) finish.
        auto* poll = new QTimer(&window);
        auto waited = std::make_shared<int>(0);
        QObject::connect(poll, &QTimer::timeout, &window, [&window, file, ok, poll, waited] {
            constexpr int stepMs = 100;
            constexpr int evaluationLimitMs = 60000;
            if (!window.liveEvaluation()->isIdle() && (*waited += stepMs) < evaluationLimitMs)
                return;
            poll->stop();
            const bool saved = window.grab().save(file, "PNG");
            if (!saved)
                std::fprintf(stderr, "%s\n",
                             qPrintable(QCoreApplication::translate("main", "Could not write %1").arg(file)));
            QCoreApplication::exit(saved && ok ? 0 : 1);
        });
        poll->start(100);
    });
}

} // namespace

int main(int argc, char* argv[])
{
    if (wantsTextOnly(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationInfo();
        topiary::applyLanguage(topiary::startupLanguage());
        topiary::CommandLine commandLine;
        commandLine.parser().process(app);  // prints and exits
        return 0;
    }

    QApplication app(argc, argv);
    setApplicationInfo();
    topiary::applyLanguage(topiary::startupLanguage());
    QApplication::setApplicationDisplayName(QStringLiteral("Topiary"));
    // From the resources, not the icon theme: the window has its icon even when the
    // program runs from the build tree, where no icon is installed.
    QIcon icon;
    for (int size : {16, 32, 48, 64, 128, 256})
        icon.addFile(QStringLiteral(":/icons/topiary-%1.png").arg(size), QSize(size, size));
    QApplication::setWindowIcon(icon);
    // Lets Wayland compositors match the window to topiary.desktop and its icon.
    QGuiApplication::setDesktopFileName(QStringLiteral("topiary"));

    topiary::CommandLine commandLine;
    commandLine.parser().process(app);
    const topiary::StartupOptions options = commandLine.options(QCoreApplication::arguments());
    if (!options.error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(options.error));
        return 2;
    }

    topiary::MainWindow window;
    // Connected before the screenshot's handler, so a screenshot shows the plan and the data.
    topiary::connectStartup(window, options);
    const QString screenshot = options.screenshot;
    if (!screenshot.isEmpty())
        takeScreenshotWhenLoaded(window, screenshot);
    window.show();
    topiary::openStartup(window, options);
    if (screenshot.isEmpty())
        QTimer::singleShot(0, &window, [&window] { window.offerRecovery(); });

    return app.exec();
}
