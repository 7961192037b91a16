#include "core/compress/TaylorScores.h"

#include "core/base/AtomicFile.h"
#include "core/base/JsonFields.h"
#include "core/compress/FilterMatrix.h"
#include "core/plan/Project.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

namespace topiary {

namespace fs = std::filesystem;
using nlohmann::json;
namespace jf = json_fields;

json taylorScoresToJson(const TaylorScores& scores)
{
    json layers = json::object();
    for (const auto& [name, values] : scores.layers)
        layers[name] = values;
    return { { "images", scores.images }, { "batches", scores.batches }, { "layers", layers } };
}

Result<TaylorScores> taylorScoresFromJson(const json& j)
{
    if (auto r = jf::expectObject(j, "taylor"); !r)
        return std::unexpected(r.error());
    if (auto r = jf::onlyFields(j, "taylor", { "images", "batches", "layers" }); !r)
        return std::unexpected(r.error());
    TaylorScores s;
    auto images = jf::required(j, "taylor", "images", jf::integerAt);
    auto batches = jf::required(j, "taylor", "batches", jf::integerAt);
    auto layers = jf::require(j, "taylor", "layers");
    if (!images || !batches || !layers)
        return std::unexpected(!images ? images.error() : !batches ? batches.error() : layers.error());
    s.images = *images;
    s.batches = *batches;
    if (auto r = jf::expectObject(**layers, "taylor.layers"); !r)
        return std::unexpected(r.error());
    for (const auto& [name, values] : (*layers)->items()) {
        const std::string path = jf::join("taylor.layers", name);
        if (!values.is_array())
            return fail(path + ": expected an array of scores");
        std::vector<float> scores;
        scores.reserve(values.size());
        for (size_t i = 0; i < values.size(); ++i) {
            auto v = jf::numberAt(values[i], path + "[" + std::to_string(i) + "]");
            if (!v)
                return std::unexpected(v.error());
            if (*v < 0.0)
                return fail(path + "[" + std::to_string(i) + "]: a Taylor score cannot be negative");
            scores.push_back(static_cast<float>(*v));
        }
        s.layers.emplace(name, std::move(scores));
    }
    return s;
}

Result<std::vector<float>> taylorFilterSums(std::span<const float> contributions, const Layer& layer)
{
    auto rows = filterMatrix(contributions, layer);
    if (!rows)
        return std::unexpected(rows.error());
    std::vector<float> sums(static_cast<size_t>(rows->rows()));
    for (int64_t f = 0; f < rows->rows(); ++f) {
        double sum = 0.0;
        for (float v : rows->row(f))
            sum += std::fabs(static_cast<double>(v));
        sums[static_cast<size_t>(f)] = static_cast<float>(sum);
    }
    return sums;
}

FilterScorer taylorScorer(TaylorScores scores, const std::vector<Layer>& layers, FilterScorer fallback)
{
    auto shared = std::make_shared<const TaylorScores>(std::move(scores));
    std::vector<std::pair<std::string, int64_t>> names; // per layer index: name, filters
    names.reserve(layers.size());
    for (const auto& l : layers)
        names.emplace_back(l.name, l.outChannels);
    return [shared, names = std::move(names), fallback = std::move(fallback)](
               int layer, Criterion criterion) -> Result<std::vector<float>> {
        if (criterion != Criterion::Taylor) {
            if (!fallback)
                return fail("no scorer for this criterion");
            return fallback(layer, criterion);
        }
        if (layer < 0 || static_cast<size_t>(layer) >= names.size())
            return fail("Taylor importance: no layer " + std::to_string(layer));
        const auto& [name, filters] = names[static_cast<size_t>(layer)];
        auto it = shared->layers.find(name);
        if (it == shared->layers.end())
            return fail("Taylor importance has no scores for layer " + name + " (were they computed on this model?)");
        if (static_cast<int64_t>(it->second.size()) != filters)
            return fail("Taylor importance of layer " + name + " has " + std::to_string(it->second.size())
                + " scores for its " + std::to_string(filters) + " filters");
        return it->second;
    };
}

TaylorCache::TaylorCache(fs::path dir)
    : m_dir(std::move(dir))
{
}

fs::path TaylorCache::defaultDir()
{
    if (const char* d = std::getenv("TOPIARY_CACHE_DIR"); d && *d)
        return d;
    if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d)
        return fs::path(d) / "topiary";
    if (const char* home = std::getenv("HOME"); home && *home)
        return fs::path(home) / ".cache" / "topiary";
    return fs::temp_directory_path() / "topiary-cache";
}

Result<json> TaylorCache::key(const TaylorRequest& r) const
{
    auto model = fingerprintFile(r.model);
    if (!model)
        return std::unexpected(model.error());
    std::error_code ec;
    const fs::path data = fs::absolute(r.data, ec);
    const auto dataTime = fs::last_write_time(r.data, ec);
    if (ec)
        return fail("cannot read " + r.data.string());
    const auto dataSize = fs::is_directory(r.data) ? uintmax_t { 0 } : fs::file_size(r.data, ec);
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(model->fnv1a64));
    return json { { "model_size", model->size }, { "model_fnv1a64", hash }, { "data", data.string() },
        { "data_size", dataSize }, { "data_time", static_cast<int64_t>(dataTime.time_since_epoch().count()) },
        { "preprocess", r.preprocess }, { "batches", r.batches }, { "batch_size", r.batchSize }, { "seed", r.seed } };
}

namespace {

fs::path cacheFile(const fs::path& dir, const json& key)
{
    uint64_t hash = 14695981039346656037ULL;
    for (unsigned char c : key.dump()) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    char name[40];
    std::snprintf(name, sizeof name, "taylor-%016llx.json", static_cast<unsigned long long>(hash));
    return dir / name;
}

} // namespace

std::optional<TaylorScores> TaylorCache::find(const TaylorRequest& request) const
{
    auto k = key(request);
    if (!k)
        return std::nullopt;
    std::ifstream in(cacheFile(m_dir, *k), std::ios::binary);
    if (!in)
        return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    const json stored = json::parse(text.str(), nullptr, false);
    if (stored.is_discarded() || !stored.is_object() || stored.value("key", json()) != *k
        || !stored.contains("scores"))
        return std::nullopt;
    auto scores = taylorScoresFromJson(stored["scores"]);
    return scores ? std::optional(std::move(*scores)) : std::nullopt;
}

Result<void> TaylorCache::store(const TaylorRequest& request, const TaylorScores& scores) const
{
    auto k = key(request);
    if (!k)
        return std::unexpected(k.error());
    std::error_code ec;
    fs::create_directories(m_dir, ec);
    if (ec)
        return fail("cannot create the cache folder " + m_dir.string() + ": " + ec.message());
    const json stored = { { "key", *k }, { "scores", taylorScoresToJson(scores) } };
    return writeFileAtomically(cacheFile(m_dir, *k), stored.dump());
}

} // namespace topiary
