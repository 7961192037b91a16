#include "train/TrainOptions.h"

#include "core/base/JsonFields.h"

namespace topiary::train {

using nlohmann::json;
namespace jf = topiary::json_fields;

json trainOptionsToJson(const TrainOptions& o)
{
    json j = {
        { "model", o.model },
        { "train_data", o.trainData },
        { "val_data", o.valData },
        { "train_limit", o.trainLimit },
        { "val_limit", o.valLimit },
        { "epochs", o.epochs },
        { "rounds", o.rounds },
        { "batch_size", o.batchSize },
        { "optimizer", o.optimizer == OptimizerKind::Sgd ? "sgd" : "adam" },
        { "learning_rate", o.learningRate },
        { "momentum", o.momentum },
        { "weight_decay", o.weightDecay },
        { "schedule", o.schedule == Schedule::Cosine ? "cosine" : "constant" },
        { "seed", o.seed },
        { "threads", o.threads },
        { "augment_pad", o.augmentPad },
        { "augment_flip", o.augmentFlip },
        { "divergence_factor", o.divergenceFactor },
        { "output", o.output },
        { "shrink", o.shrink },
        { "int8_qdq", o.int8Qdq },
        { "float16", o.float16 },
        { "checkpoint_dir", o.checkpointDir },
    };
    if (!o.resume.empty())
        j["resume"] = o.resume;
    if (o.recipe)
        j["recipe"] = recipeToJson(*o.recipe);
    if (o.preprocess)
        j["preprocess"] = preprocessToJson(*o.preprocess);
    if (o.distillation)
        j["distillation"] = { { "temperature", o.distillation->temperature }, { "alpha", o.distillation->alpha } };
    return j;
}

namespace {

// Reads an optional field with `read`, checks it with `valid`, and stores it.
template <class T, class Read, class Valid>
Result<void> optionalField(const json& j, const char* key, Read read, Valid valid, const char* range, T& out)
{
    const json* v = jf::find(j, key);
    if (!v)
        return {};
    auto value = read(*v, std::string(key));
    if (!value)
        return std::unexpected(value.error());
    if (!valid(*value))
        return fail(std::string(key) + ": expected " + range);
    out = static_cast<T>(*value);
    return {};
}

Result<std::string> oneOf(
    const json& j, const char* key, std::initializer_list<const char*> names, std::string fallback)
{
    const json* v = jf::find(j, key);
    if (!v)
        return fallback;
    auto s = jf::stringAt(*v, key);
    if (!s)
        return std::unexpected(s.error());
    for (const char* n : names)
        if (*s == n)
            return *s;
    std::string list;
    for (const char* n : names)
        list += (list.empty() ? "" : " or ") + std::string(n);
    return fail(std::string(key) + ": expected " + list + ", got '" + *s + "'");
}

} // namespace

Result<TrainOptions> trainOptionsFromJson(const json& j)
{
    if (auto r = jf::expectObject(j, "options"); !r)
        return std::unexpected(r.error());
    if (auto r = jf::onlyFields(j, "",
            { "model", "recipe", "train_data", "val_data", "preprocess", "train_limit", "val_limit", "epochs", "rounds",
                "batch_size", "optimizer", "learning_rate", "momentum", "weight_decay", "schedule", "seed", "threads",
                "augment_pad", "augment_flip", "distillation", "divergence_factor", "output", "shrink", "int8_qdq",
                "float16", "checkpoint_dir", "resume" });
        !r)
        return std::unexpected(r.error());
    TrainOptions o;
    auto model = jf::required(j, "", "model", jf::stringAt);
    auto data = jf::required(j, "", "train_data", jf::stringAt);
    auto output = jf::required(j, "", "output", jf::stringAt);
    if (!model || !data || !output)
        return std::unexpected(!model ? model.error() : !data ? data.error() : output.error());
    o.model = *model;
    o.trainData = *data;
    o.output = *output;
    if (const json* v = jf::find(j, "val_data")) {
        auto s = jf::stringAt(*v, "val_data");
        if (!s)
            return std::unexpected(s.error());
        o.valData = *s;
    }
    if (const json* v = jf::find(j, "checkpoint_dir")) {
        auto s = jf::stringAt(*v, "checkpoint_dir");
        if (!s)
            return std::unexpected(s.error());
        o.checkpointDir = *s;
    }
    if (const json* v = jf::find(j, "resume")) {
        auto s = jf::stringAt(*v, "resume");
        if (!s)
            return std::unexpected(s.error());
        o.resume = *s;
    }
    if (const json* v = jf::find(j, "recipe")) {
        auto r = recipeFromJson(*v);
        if (!r)
            return std::unexpected(r.error().withContext("recipe"));
        o.recipe = std::move(*r);
    }
    if (const json* v = jf::find(j, "preprocess")) {
        auto p = preprocessFromJson(*v);
        if (!p)
            return std::unexpected(p.error().withContext("preprocess"));
        o.preprocess = std::move(*p);
    }
    auto nonNegative = [](int64_t v) { return v >= 0; };
    std::vector<Result<void>> checks;
    checks.push_back(optionalField(j, "train_limit", jf::integerAt, nonNegative, "an integer >= 0", o.trainLimit));
    checks.push_back(optionalField(j, "val_limit", jf::integerAt, nonNegative, "an integer >= 0", o.valLimit));
    checks.push_back(optionalField(
        j, "epochs", jf::integerAt, [](int64_t v) { return v >= 1 && v <= 100000; }, "an integer from 1 to 100000",
        o.epochs));
    checks.push_back(optionalField(
        j, "rounds", jf::integerAt, [](int64_t v) { return v >= 1 && v <= 100; }, "an integer from 1 to 100",
        o.rounds));
    checks.push_back(optionalField(
        j, "batch_size", jf::integerAt, [](int64_t v) { return v >= 1 && v <= 65536; }, "an integer from 1 to 65536",
        o.batchSize));
    checks.push_back(optionalField(
        j, "learning_rate", jf::numberAt, [](double v) { return v > 0 && v < 100; }, "a number in (0, 100)",
        o.learningRate));
    checks.push_back(optionalField(
        j, "momentum", jf::numberAt, [](double v) { return v >= 0 && v < 1; }, "a number in [0, 1)", o.momentum));
    checks.push_back(optionalField(
        j, "weight_decay", jf::numberAt, [](double v) { return v >= 0 && v < 1; }, "a number in [0, 1)",
        o.weightDecay));
    checks.push_back(optionalField(j, "seed", jf::integerAt, nonNegative, "an integer >= 0", o.seed));
    checks.push_back(optionalField(
        j, "threads", jf::integerAt, [](int64_t v) { return v >= 1 && v <= 1024; }, "an integer from 1 to 1024",
        o.threads));
    checks.push_back(optionalField(
        j, "augment_pad", jf::integerAt, [](int64_t v) { return v >= 0 && v <= 64; }, "an integer from 0 to 64",
        o.augmentPad));
    checks.push_back(optionalField(
        j, "augment_flip", jf::booleanAt, [](bool) { return true; }, "", o.augmentFlip));
    checks.push_back(optionalField(
        j, "divergence_factor", jf::numberAt, [](double v) { return v > 1; }, "a number above 1", o.divergenceFactor));
    checks.push_back(optionalField(
        j, "shrink", jf::booleanAt, [](bool) { return true; }, "", o.shrink));
    checks.push_back(optionalField(
        j, "int8_qdq", jf::booleanAt, [](bool) { return true; }, "", o.int8Qdq));
    checks.push_back(optionalField(
        j, "float16", jf::booleanAt, [](bool) { return true; }, "", o.float16));
    for (auto& c : checks)
        if (!c)
            return std::unexpected(c.error());
    auto optimizer = oneOf(j, "optimizer", { "sgd", "adam" }, "sgd");
    auto schedule = oneOf(j, "schedule", { "cosine", "constant" }, "cosine");
    if (!optimizer || !schedule)
        return std::unexpected(!optimizer ? optimizer.error() : schedule.error());
    o.optimizer = *optimizer == "sgd" ? OptimizerKind::Sgd : OptimizerKind::Adam;
    o.schedule = *schedule == "cosine" ? Schedule::Cosine : Schedule::Constant;
    if (const json* v = jf::find(j, "distillation")) {
        if (auto r = jf::onlyFields(*v, "distillation", { "temperature", "alpha" }); !r)
            return std::unexpected(r.error());
        Distillation d;
        if (auto r = optionalField(
                *v, "temperature", jf::numberAt, [](double t) { return t > 0 && t <= 100; }, "a number in (0, 100]",
                d.temperature);
            !r)
            return std::unexpected(r.error().withContext("distillation"));
        if (auto r = optionalField(
                *v, "alpha", jf::numberAt, [](double a) { return a >= 0 && a <= 1; }, "a number in [0, 1]", d.alpha);
            !r)
            return std::unexpected(r.error().withContext("distillation"));
        o.distillation = d;
    }
    return o;
}

json taylorOptionsToJson(const TaylorOptions& o)
{
    json j = { { "model", o.model }, { "data", o.data }, { "batches", o.batches }, { "batch_size", o.batchSize },
        { "seed", o.seed }, { "threads", o.threads } };
    if (o.preprocess)
        j["preprocess"] = preprocessToJson(*o.preprocess);
    return j;
}

Result<TaylorOptions> taylorOptionsFromJson(const json& j)
{
    if (auto r = jf::expectObject(j, "options"); !r)
        return std::unexpected(r.error());
    if (auto r = jf::onlyFields(j, "", { "model", "data", "preprocess", "batches", "batch_size", "seed", "threads" });
        !r)
        return std::unexpected(r.error());
    TaylorOptions o;
    auto model = jf::required(j, "", "model", jf::stringAt);
    auto data = jf::required(j, "", "data", jf::stringAt);
    if (!model || !data)
        return std::unexpected(!model ? model.error() : data.error());
    o.model = *model;
    o.data = *data;
    if (const json* v = jf::find(j, "preprocess")) {
        auto p = preprocessFromJson(*v);
        if (!p)
            return std::unexpected(p.error().withContext("preprocess"));
        o.preprocess = std::move(*p);
    }
    std::vector<Result<void>> checks;
    checks.push_back(optionalField(
        j, "batches", jf::integerAt, [](int64_t v) { return v >= 1 && v <= 100000; }, "an integer from 1 to 100000",
        o.batches));
    checks.push_back(optionalField(
        j, "batch_size", jf::integerAt, [](int64_t v) { return v >= 1 && v <= 65536; }, "an integer from 1 to 65536",
        o.batchSize));
    checks.push_back(optionalField(j, "seed", jf::integerAt, [](int64_t v) { return v >= 0; }, "an integer >= 0", o.seed));
    checks.push_back(optionalField(
        j, "threads", jf::integerAt, [](int64_t v) { return v >= 1 && v <= 1024; }, "an integer from 1 to 1024",
        o.threads));
    for (auto& c : checks)
        if (!c)
            return std::unexpected(c.error());
    return o;
}

} // namespace topiary::train
