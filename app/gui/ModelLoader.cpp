#include "ModelLoader.h"

#include "JobTracker.h"

#include "core/plan/Project.h"

#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/analysis/Stats.h"
#include "core/model/Model.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <exception>
#include <filesystem>
#include <string_view>

namespace topiary {

namespace {

struct Outcome {
    LoadedModel result;
    QString error;  // empty on success
};

// Runs on the worker thread: indexes the loaded model's costs too, so the GUI thread
// receives something it can show at once.
Outcome analyse(Result<Model> loaded, const QString& path, qint64 fileBytes)
{
    Outcome outcome;
    if (!loaded) {
        outcome.error = QString::fromStdString(loaded.error().message);
        return outcome;
    }
    auto model = std::make_shared<const Model>(std::move(*loaded));
    outcome.result.cost = std::make_shared<const CostModel>(*model);
    outcome.result.groups
        = std::make_shared<const std::vector<DependencyGroup>>(findDependencyGroups(*model, outcome.result.cost->layers()));
    outcome.result.stats = std::make_shared<const StatsModel>(*model, *outcome.result.cost, *outcome.result.groups);
    outcome.result.model = std::move(model);
    outcome.result.path = path;
    outcome.result.displayName = QFileInfo(path).fileName();
    outcome.result.fileBytes = fileBytes;
    return outcome;
}

// The core reports errors as values; anything thrown past it is a bug, but it must not
// take the GUI down with it.
template <class Job>
Outcome guarded(const Job& job)
{
    try {
        return job();
    } catch (const std::exception& e) {
        return {{}, QCoreApplication::translate("topiary::ModelLoader", "Unexpected error while loading: %1").arg(QString::fromLocal8Bit(e.what()))};
    } catch (...) {
        return {{}, QCoreApplication::translate("topiary::ModelLoader", "Unexpected error while loading.")};
    }
}

} // namespace

ModelLoader::ModelLoader(QObject* parent)
    : QObject(parent)
    , m_jobs(new JobTracker(this))
{
}

ModelLoader::~ModelLoader() = default;

template <class Job>
void ModelLoader::start(const QString& path, Job job)
{
    m_busy = true;
    emit started(QFileInfo(path).fileName());
    // A newer load or cancel() makes this one stale: the tracker drops its result.
    m_jobs->run([job = std::move(job)](const JobToken&) { return guarded(job); },
        [this, path](const Outcome& outcome) {
            m_busy = false;
            if (outcome.error.isEmpty() && outcome.result.model)
                emit loaded(outcome.result);
            else
                emit failed(path, outcome.error);
        });
}

void ModelLoader::loadFile(const QString& path)
{
    const std::filesystem::path file(QFile::encodeName(path).toStdString());
    start(path, [file, path] {
        Result<Model> loaded = Model::load(file);
        const qint64 bytes = loaded ? loaded->fileBytes() : 0;
        Outcome outcome = analyse(std::move(loaded), path, bytes);
        // Projects record which file their plan was made for (read here, off the GUI thread).
        if (outcome.result.model)
            if (auto fingerprint = fingerprintFile(file))
                outcome.result.fingerprint = *fingerprint;
        return outcome;
    });
}

void ModelLoader::loadResource(const QString& resourcePath)
{
    start(resourcePath, [resourcePath] {
        QFile file(resourcePath);
        if (!file.open(QIODevice::ReadOnly))
            return Outcome{{}, QCoreApplication::translate("topiary::ModelLoader", "Could not read %1: %2").arg(resourcePath, file.errorString())};
        const QByteArray bytes = file.readAll();
        const std::string_view view(bytes.constData(), static_cast<size_t>(bytes.size()));
        return analyse(Model::fromBytes(view, {}), resourcePath, bytes.size());
    });
}

void ModelLoader::cancel()
{
    if (!m_busy)
        return;
    m_jobs->cancel();  // the running job's result is now stale
    m_busy = false;
    emit canceled();
}

} // namespace topiary
