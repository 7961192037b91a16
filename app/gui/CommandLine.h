// topiary's command line: `topiary [MODEL | PROJECT.topiary] [--data PATH [--preprocess FILE]]
// [--recipe R.json] [--screenshot FILE]`. Parsing and checking live here, apart from
// main(), so a test can drive them; startWindow() opens what was asked in a MainWindow.
#pragma once

#include "core/data/Preprocess.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <optional>

namespace topiary {

class MainWindow;

struct StartupOptions {
    QString model; // absolute; "" = the bundled sample
    bool project = false; // model is a .topiary project
    QString recipe; // absolute; "" = none
    QString screenshot;
    QString data; // absolute: an image folder, a .csv/.tsv list or an IDX images file; "" = none
    std::optional<PreprocessSpec> preprocess; // read from --preprocess
    QString preprocessFile;
    QString error; // "" when the command line is usable
};

class CommandLine {
public:
    CommandLine();
    QCommandLineParser& parser() { return m_parser; }
    // After parser().process() (main) or on its own (tests): the options, checked. A
    // --preprocess file is read here, so a typo stops the start with its message.
    StartupOptions options(const QStringList& arguments);

private:
    StartupOptions read();
    QCommandLineParser m_parser;
    QCommandLineOption m_screenshot;
    QCommandLineOption m_recipe;
    QCommandLineOption m_data;
    QCommandLineOption m_preprocess;
};

// Once the model is loaded: applies the recipe, then opens the dataset with the given
// preprocessing (messages in the status bar, and on stderr when it cannot). Call before
// openStartup(), and before connecting anything that should see the plan and the data.
void connectStartup(MainWindow& window, const StartupOptions& options);
// Opens the model, the project or the bundled sample.
void openStartup(MainWindow& window, const StartupOptions& options);

} // namespace topiary
