#include "CommandLine.h"

#include "MainWindow.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>

namespace topiary {

CommandLine::CommandLine()
    : m_screenshot(QStringLiteral("screenshot"),
          QCoreApplication::translate("main", "Save a PNG of the window to <file> once the model is loaded, then quit."),
          QCoreApplication::translate("main", "file"))
    , m_recipe(QStringLiteral("recipe"),
          QCoreApplication::translate("main", "Apply the plan in <recipe.json> once the model is loaded."),
          QCoreApplication::translate("main", "recipe.json"))
    , m_data(QStringLiteral("data"),
          QCoreApplication::translate("main",
              "Evaluate on <path> once the model is loaded: an image folder (one sub-folder per class), a .csv/.tsv "
              "list of path,label lines, or an IDX images file."),
          QCoreApplication::translate("main", "path"))
    , m_preprocess(QStringLiteral("preprocess"),
          QCoreApplication::translate("main",
              "Preprocess the --data images as <file> says (JSON: channels, height, width, resize, scale, mean, std, "
              "color_order, classes) instead of the preprocess.json found beside the model or the data."),
          QCoreApplication::translate("main", "file"))
{
    m_parser.setApplicationDescription(
        QCoreApplication::translate("main", "A workbench for compressing neural networks by hand."));
    m_parser.addHelpOption();
    m_parser.addVersionOption();
    m_parser.addPositionalArgument(QStringLiteral("model"),
        QCoreApplication::translate("main", "The ONNX model or .topiary project to open (default: the bundled sample)."),
        QStringLiteral("[model]"));
    m_parser.addOption(m_screenshot);
    m_parser.addOption(m_recipe);
    m_parser.addOption(m_data);
    m_parser.addOption(m_preprocess);
}

StartupOptions CommandLine::options(const QStringList& arguments)
{
    if (!m_parser.parse(arguments)) {
        StartupOptions failed;
        failed.error = m_parser.errorText();
        return failed;
    }
    return read();
}

StartupOptions CommandLine::read()
{
    StartupOptions out;
    const QStringList positional = m_parser.positionalArguments();
    if (positional.size() > 1) {
        out.error = QCoreApplication::translate("main", "Only one model can be opened at a time.");
        return out;
    }
    if (!positional.isEmpty()) {
        out.model = QFileInfo(positional.first()).absoluteFilePath();
        out.project = out.model.endsWith(QStringLiteral(".topiary"), Qt::CaseInsensitive);
    }
    out.screenshot = m_parser.value(m_screenshot);
    if (const QString recipe = m_parser.value(m_recipe); !recipe.isEmpty())
        out.recipe = QFileInfo(recipe).absoluteFilePath();
    if (const QString data = m_parser.value(m_data); !data.isEmpty()) {
        if (out.project) {
            out.error = QCoreApplication::translate("main", "A project brings its own dataset; open it, then "
                                                            "choose another dataset in the window.");
            return out;
        }
        out.data = QFileInfo(data).absoluteFilePath();
        if (!QFileInfo::exists(out.data)) {
            out.error = QCoreApplication::translate("main", "%1: no such file or folder").arg(data);
            return out;
        }
    }
    if (const QString file = m_parser.value(m_preprocess); !file.isEmpty()) {
        if (out.data.isEmpty()) {
            out.error = QCoreApplication::translate("main", "--preprocess describes the --data images; give --data too.");
            return out;
        }
        out.preprocessFile = QFileInfo(file).absoluteFilePath();
        auto spec = loadPreprocess(out.preprocessFile.toStdString());
        if (!spec) {
            out.error = QString::fromStdString(spec.error().message);
            return out;
        }
        out.preprocess = std::move(*spec);
    }
    return out;
}

void connectStartup(MainWindow& window, const StartupOptions& options)
{
    // Connected in the order they must run: the recipe, then the dataset.
    if (!options.recipe.isEmpty())
        QObject::connect(&window, &MainWindow::loadFinished, &window, [&window, recipe = options.recipe](bool ok) {
            if (ok && !window.loadRecipe(recipe))
                std::fprintf(stderr, "%s\n",
                    qPrintable(QCoreApplication::translate("main", "Could not apply %1").arg(recipe)));
        });
    if (!options.data.isEmpty())
        QObject::connect(&window, &MainWindow::loadFinished, &window,
            [&window, data = options.data, spec = options.preprocess](bool ok) {
                if (ok && !window.openDataset(data, spec))
                    std::fprintf(stderr, "%s\n",
                        qPrintable(QCoreApplication::translate("main", "Could not evaluate on %1").arg(data)));
            });
}

void openStartup(MainWindow& window, const StartupOptions& options)
{
    if (options.model.isEmpty())
        window.openSample();
    else if (options.project)
        window.openProject(options.model);
    else
        window.openFile(options.model);
}

} // namespace topiary
