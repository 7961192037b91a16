#include "core/plan/Project.h"

#include "core/base/AtomicFile.h"
#include "core/base/JsonFields.h"
#include "core/plan/Recipe.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace topiary {

namespace fs = std::filesystem;

namespace {

using nlohmann::json;
using namespace json_fields;

constexpr const char* kFormat = "topiary-project";
// Interval bounds come from floating-point formulas; a value a hair outside [0, 1] or
// its interval is rounding, not a corrupt file.
constexpr double kSlack = 1e-9;

std::string quoted(const fs::path& p)
{
    return "'" + p.string() + "'";
}

std::string hex64(uint64_t v)
{
    char text[17];
    auto [end, ec] = std::to_chars(text, text + 16, v, 16);
    const std::string digits(text, end);
    return std::string(16 - digits.size(), '0') + digits;
}

Result<void> checkString(const std::string& s, const std::string& path)
{
    if (s.size() > kMaxProjectString)
        return fail(path + ": " + std::to_string(s.size()) + " bytes is too long (at most "
            + std::to_string(kMaxProjectString) + ")");
    if (s.find('\0') != std::string::npos)
        return fail(path + ": contains a NUL character");
    return {};
}

Result<void> checkPath(const fs::path& p, const std::string& path)
{
    if (p.empty())
        return fail(path + ": empty");
    return checkString(p.string(), path);
}

Result<void> checkEvaluation(const HistoryEvaluation& e, const std::string& path)
{
    const Estimate& t = e.top1;
    if (!std::isfinite(t.value) || !std::isfinite(t.low) || !std::isfinite(t.high))
        return fail(path + ".top1: the accuracy and its interval must be finite numbers");
    if (t.low < -kSlack || t.high > 1.0 + kSlack || t.low > t.value + kSlack || t.value > t.high + kSlack)
        return fail(path + ".top1: needs 0 <= top1_low <= top1 <= top1_high <= 1");
    if (t.n < 1)
        return fail(path + ".images: an evaluation covers at least one image, not " + std::to_string(t.n));
    if (e.sizeBytes < 0)
        return fail(path + ".size_bytes: cannot be negative");
    if (e.macs < 0)
        return fail(path + ".macs: cannot be negative");
    return {};
}

// Inside the project's folder: relative to it; elsewhere: absolute.
std::string storedPath(const fs::path& p, const fs::path& folder)
{
    const fs::path absolute = fs::absolute(p).lexically_normal();
    const fs::path relative = absolute.lexically_relative(fs::absolute(folder).lexically_normal());
    if (!relative.empty() && *relative.begin() != ".." && relative != ".")
        return relative.generic_string();
    return absolute.string();
}

fs::path resolvedPath(const std::string& stored, const fs::path& folder)
{
    const fs::path p(stored);
    return (p.is_absolute() ? p : fs::absolute(folder) / p).lexically_normal();
}

json planJson(const Plan& plan)
{
    Recipe recipe;
    recipe.plan = plan;
    return recipeToJson(recipe);
}

// A plan stored as a recipe; the model and preprocessing live in the project, not here.
Result<Plan> planFrom(const json& j, const std::string& path)
{
    auto recipe = recipeFromJson(j);
    if (!recipe)
        return std::unexpected(recipe.error().withContext(path));
    if (!recipe->modelFile.empty() || !recipe->modelSha256.empty() || recipe->preprocess)
        return fail(path + ": a plan in a project names no model and no preprocessing (the project does)");
    return std::move(recipe->plan);
}

Result<FileFingerprint> fingerprintFrom(const json& j)
{
    FileFingerprint f;
    auto size = required(j, "model", "size", integerAt);
    if (!size)
        return std::unexpected(size.error());
    if (*size < 0)
        return fail("model.size: cannot be negative");
    f.size = *size;
    auto hash = required(j, "model", "fnv1a64", stringAt);
    if (!hash)
        return std::unexpected(hash.error());
    const char* end = hash->data() + hash->size();
    auto [ptr, ec] = std::from_chars(hash->data(), end, f.fnv1a64, 16);
    if (hash->size() != 16 || ec != std::errc() || ptr != end)
        return fail("model.fnv1a64: expected 16 hexadecimal digits, got '" + hash->substr(0, 40) + "'");
    return f;
}

Result<HistoryEvaluation> evaluationFrom(const json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "top1", "top1_low", "top1_high", "images", "size_bytes", "macs" }); !r)
        return std::unexpected(r.error());
    HistoryEvaluation e;
    const std::pair<const char*, double*> numbers[]
        = { { "top1", &e.top1.value }, { "top1_low", &e.top1.low }, { "top1_high", &e.top1.high } };
    for (auto [key, target] : numbers) {
        auto v = required(j, path, key, numberAt);
        if (!v)
            return std::unexpected(v.error());
        *target = *v;
    }
    const std::pair<const char*, int64_t*> integers[]
        = { { "images", &e.top1.n }, { "size_bytes", &e.sizeBytes }, { "macs", &e.macs } };
    for (auto [key, target] : integers) {
        auto v = required(j, path, key, integerAt);
        if (!v)
            return std::unexpected(v.error());
        *target = *v;
    }
    if (auto ok = checkEvaluation(e, path); !ok)
        return std::unexpected(ok.error());
    return e;
}

Result<HistoryEntry> entryFrom(const json& j, const std::string& path)
{
    if (auto r = expectObject(j, path); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(j, path, { "label", "plan", "evaluation" }); !r)
        return std::unexpected(r.error());
    HistoryEntry entry;
    auto label = required(j, path, "label", stringAt);
    if (!label)
        return std::unexpected(label.error());
    if (auto ok = checkString(*label, join(path, "label")); !ok)
        return std::unexpected(ok.error());
    entry.label = std::move(*label);
    auto plan = require(j, path, "plan");
    if (!plan)
        return std::unexpected(plan.error());
    auto parsed = planFrom(**plan, join(path, "plan"));
    if (!parsed)
        return std::unexpected(parsed.error());
    entry.plan = std::move(*parsed);
    if (const json* e = find(j, "evaluation")) {
        auto evaluation = evaluationFrom(*e, join(path, "evaluation"));
        if (!evaluation)
            return std::unexpected(evaluation.error());
        entry.evaluation = *evaluation;
    }
    return entry;
}

Result<Project> projectFrom(const json& j, const fs::path& folder)
{
    if (auto r = expectObject(j, "project"); !r)
        return std::unexpected(r.error());
    // A recipe opened as a project is a likely mistake; say so rather than "format: missing".
    if (!j.contains("format") && j.contains("layers"))
        return fail("this is a recipe, not a project");
    auto format = required(j, "", "format", stringAt);
    if (!format)
        return std::unexpected(format.error());
    if (*format != kFormat)
        return fail("format: '" + format->substr(0, 40) + "' is not a Topiary project");
    auto version = required(j, "", "version", integerAt);
    if (!version)
        return std::unexpected(version.error());
    if (*version > kProjectVersion)
        return fail("version: the project was saved by a newer Topiary (project version " + std::to_string(*version)
            + "; this one reads version " + std::to_string(kProjectVersion) + ")");
    if (*version < 1)
        return fail("version: " + std::to_string(*version) + " is not a project version");
    if (auto r = onlyFields(j, "", { "format", "version", "model", "dataset", "plan", "history", "current" }); !r)
        return std::unexpected(r.error());

    Project project;
    auto model = require(j, "", "model");
    if (!model)
        return std::unexpected(model.error());
    if (auto r = expectObject(**model, "model"); !r)
        return std::unexpected(r.error());
    if (auto r = onlyFields(**model, "model", { "path", "size", "fnv1a64" }); !r)
        return std::unexpected(r.error());
    auto modelPath = required(**model, "model", "path", stringAt);
    if (!modelPath)
        return std::unexpected(modelPath.error());
    if (auto ok = checkPath(*modelPath, "model.path"); !ok)
        return std::unexpected(ok.error());
    project.modelPath = resolvedPath(*modelPath, folder);
    auto fingerprint = fingerprintFrom(**model);
    if (!fingerprint)
        return std::unexpected(fingerprint.error());
    project.modelFingerprint = *fingerprint;

    if (const json* dataset = find(j, "dataset")) {
        if (auto r = expectObject(*dataset, "dataset"); !r)
            return std::unexpected(r.error());
        if (auto r = onlyFields(*dataset, "dataset", { "path", "preprocess" }); !r)
            return std::unexpected(r.error());
        if (const json* p = find(*dataset, "path")) {
            auto path = stringAt(*p, "dataset.path");
            if (!path)
                return std::unexpected(path.error());
            if (auto ok = checkPath(*path, "dataset.path"); !ok)
                return std::unexpected(ok.error());
            project.datasetPath = resolvedPath(*path, folder);
        }
        if (const json* p = find(*dataset, "preprocess")) {
            auto spec = preprocessFromJson(*p);
            if (!spec)
                return std::unexpected(spec.error().withContext("dataset"));
            project.preprocess = std::move(*spec);
        }
    }

    auto plan = require(j, "", "plan");
    if (!plan)
        return std::unexpected(plan.error());
    auto parsed = planFrom(**plan, "plan");
    if (!parsed)
        return std::unexpected(parsed.error());
    project.plan = std::move(*parsed);

    auto history = require(j, "", "history");
    if (!history)
        return std::unexpected(history.error());
    if (!(*history)->is_array())
        return fail(std::string("history: expected an array, got ") + (*history)->type_name());
    if ((*history)->size() > kMaxProjectHistory)
        return fail("history: " + std::to_string((*history)->size()) + " entries is too many (at most "
            + std::to_string(kMaxProjectHistory) + ")");
    project.history.reserve((*history)->size());
    for (size_t i = 0; i < (*history)->size(); ++i) {
        auto entry = entryFrom((**history)[i], "history[" + std::to_string(i) + "]");
        if (!entry)
            return std::unexpected(entry.error());
        project.history.push_back(std::move(*entry));
    }

    auto current = required(j, "", "current", integerAt);
    if (!current)
        return std::unexpected(current.error());
    project.current = *current;
    if (auto ok = checkProject(project); !ok)
        return std::unexpected(ok.error());
    return project;
}

json projectJson(const Project& project, const fs::path& folder)
{
    json out = json::object();
    out["format"] = kFormat;
    out["version"] = kProjectVersion;
    out["model"] = { { "path", storedPath(project.modelPath, folder) }, { "size", project.modelFingerprint.size },
        { "fnv1a64", hex64(project.modelFingerprint.fnv1a64) } };
    if (!project.datasetPath.empty() || project.preprocess) {
        json dataset = json::object();
        if (!project.datasetPath.empty())
            dataset["path"] = storedPath(project.datasetPath, folder);
        if (project.preprocess)
            dataset["preprocess"] = preprocessToJson(*project.preprocess);
        out["dataset"] = dataset;
    }
    out["plan"] = planJson(project.plan);
    json history = json::array();
    for (const HistoryEntry& entry : project.history) {
        json e = { { "label", entry.label }, { "plan", planJson(entry.plan) } };
        if (const auto& ev = entry.evaluation)
            e["evaluation"] = { { "top1", ev->top1.value }, { "top1_low", ev->top1.low },
                { "top1_high", ev->top1.high }, { "images", ev->top1.n }, { "size_bytes", ev->sizeBytes },
                { "macs", ev->macs } };
        history.push_back(std::move(e));
    }
    out["history"] = std::move(history);
    out["current"] = project.current;
    return out;
}

Result<std::string> readBounded(const fs::path& file)
{
    std::error_code ec;
    if (!fs::exists(file, ec))
        return fail("the file does not exist");
    if (fs::is_directory(file, ec))
        return fail("it is a folder");
    const auto size = fs::file_size(file, ec);
    if (ec)
        return fail("cannot read it: " + ec.message());
    if (size > static_cast<uintmax_t>(kMaxProjectFileBytes))
        return fail(std::to_string(size) + " bytes is too large for a project (at most "
            + std::to_string(kMaxProjectFileBytes) + ")");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail("cannot open it for reading");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        return fail("cannot read it");
    return std::move(text).str();
}

} // namespace

bool HistoryEvaluation::operator==(const HistoryEvaluation& o) const
{
    return top1.value == o.top1.value && top1.low == o.top1.low && top1.high == o.top1.high && top1.n == o.top1.n
        && sizeBytes == o.sizeBytes && macs == o.macs;
}

Result<FileFingerprint> fingerprintFile(const fs::path& file)
{
    std::error_code ec;
    if (fs::is_directory(file, ec))
        return fail("cannot fingerprint " + quoted(file) + ": it is a folder");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail("cannot read " + quoted(file) + (fs::exists(file, ec) ? "" : ": the file does not exist"));
    FileFingerprint f;
    f.size = 0;
    uint64_t hash = 14695981039346656037ULL;
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto n = in.gcount();
        for (std::streamsize i = 0; i < n; ++i) {
            hash ^= static_cast<unsigned char>(buffer[static_cast<size_t>(i)]);
            hash *= 1099511628211ULL;
        }
        f.size += n;
    }
    if (in.bad())
        return fail("cannot read " + quoted(file));
    f.fnv1a64 = hash;
    return f;
}

Result<void> checkProject(const Project& project)
{
    if (auto ok = checkPath(project.modelPath, "model.path"); !ok)
        return ok;
    if (project.modelFingerprint.size < 0)
        return fail("model.size: the model's fingerprint was not recorded");
    if (!project.datasetPath.empty())
        if (auto ok = checkString(project.datasetPath.string(), "dataset.path"); !ok)
            return ok;
    if (project.preprocess)
        if (auto ok = checkPreprocess(*project.preprocess); !ok)
            return std::unexpected(ok.error().withContext("dataset"));
    if (project.history.size() > kMaxProjectHistory)
        return fail("history: " + std::to_string(project.history.size()) + " entries is too many (at most "
            + std::to_string(kMaxProjectHistory) + ")");
    for (size_t i = 0; i < project.history.size(); ++i) {
        const std::string path = "history[" + std::to_string(i) + "]";
        if (auto ok = checkString(project.history[i].label, path + ".label"); !ok)
            return ok;
        if (const auto& e = project.history[i].evaluation)
            if (auto ok = checkEvaluation(*e, path + ".evaluation"); !ok)
                return ok;
    }
    const auto size = static_cast<int64_t>(project.history.size());
    if (project.current < -1 || project.current >= size)
        return fail("current: " + std::to_string(project.current) + " is not an entry of the history ("
            + (size == 0 ? std::string("empty, so -1") : "-1 to " + std::to_string(size - 1)) + ")");
    return {};
}

Result<Project> readProject(const fs::path& file)
{
    const std::string context = "cannot open the project " + quoted(file);
    auto text = readBounded(file);
    if (!text)
        return std::unexpected(text.error().withContext(context));
    json j;
    try {
        j = json::parse(*text);
    } catch (const json::exception& e) {
        return fail(context + ": it is not valid JSON (damaged or cut short?): " + e.what());
    }
    auto project = projectFrom(j, file.has_parent_path() ? file.parent_path() : fs::path("."));
    if (!project)
        return std::unexpected(project.error().withContext(context));
    return project;
}

Result<void> writeProject(const fs::path& file, const Project& project)
{
    const std::string context = "cannot save the project " + quoted(file);
    if (auto ok = checkProject(project); !ok)
        return std::unexpected(ok.error().withContext(context));
    std::string text;
    try {
        // Layer names come from the model, where protobuf does not enforce UTF-8; replacing
        // bad bytes keeps the save from failing over a name.
        text = projectJson(project, file.has_parent_path() ? file.parent_path() : fs::path("."))
                   .dump(2, ' ', false, json::error_handler_t::replace)
            + "\n";
    } catch (const json::exception& e) {
        return fail(context + ": " + e.what());
    }
    if (auto ok = writeFileAtomically(file, text); !ok)
        return std::unexpected(ok.error().withContext("cannot save the project"));
    return {};
}

Result<ModelFileState> checkModelFile(const Project& project)
{
    std::error_code ec;
    if (!fs::exists(project.modelPath, ec) || fs::is_directory(project.modelPath, ec))
        return ModelFileState::Missing;
    // A different size needs no hashing.
    const auto size = fs::file_size(project.modelPath, ec);
    if (!ec && static_cast<int64_t>(size) != project.modelFingerprint.size)
        return ModelFileState::Changed;
    auto fingerprint = fingerprintFile(project.modelPath);
    if (!fingerprint)
        return std::unexpected(fingerprint.error());
    return *fingerprint == project.modelFingerprint ? ModelFileState::Unchanged : ModelFileState::Changed;
}

} // namespace topiary
