#include "app/cli/TaylorCommandSupport.h"

#include "app/cli/TrainerProcess.h"

#include <cstdio>

namespace topiary::cli {

Result<TaylorScores> taylorScoresFor(
    const std::filesystem::path& model, const std::filesystem::path& data, const PreprocessSpec& spec, int64_t images)
{
    TaylorRequest request;
    request.model = model;
    request.data = data;
    request.preprocess = preprocessToJson(spec);
    request.batchSize = kTaylorBatchSize;
    request.batches = static_cast<int>(std::max<int64_t>(1, (images + kTaylorBatchSize - 1) / kTaylorBatchSize));
    const TaylorCache cache;
    if (auto cached = cache.find(request))
        return *cached;

    auto trainer = TrainerProcess::start(findTrainer());
    if (!trainer)
        return std::unexpected(trainer.error());
    const nlohmann::json options = { { "model", model.string() }, { "data", data.string() },
        { "preprocess", request.preprocess }, { "batches", request.batches }, { "batch_size", request.batchSize },
        { "seed", request.seed } };
    if (auto sent = trainer->send({ { "type", "taylor" }, { "options", options } }); !sent)
        return std::unexpected(sent.error());
    for (;;) {
        auto event = trainer->receive();
        if (!event)
            return std::unexpected(event.error());
        if (!*event)
            return fail("the trainer ended without Taylor scores (exit status " + std::to_string(trainer->wait()) + ")");
        const auto& e = **event;
        const std::string type = e.value("type", "");
        if (type == "error")
            return fail("Taylor importance: " + e.value("message", std::string("the trainer failed")));
        if (type == "progress") {
            std::fprintf(stderr, "\r  Taylor importance: batch %lld of %lld", e.value("batch", 0LL), e.value("batches", 0LL));
            std::fflush(stderr);
        } else if (type == "taylor") {
            std::fprintf(stderr, "\n");
            auto scores = taylorScoresFromJson(e.value("scores", nlohmann::json()));
            if (!scores)
                return std::unexpected(scores.error().withContext("the trainer's answer"));
            if (auto stored = cache.store(request, *scores); !stored)
                std::fprintf(stderr, "  note: the scores were not cached: %s\n", stored.error().message.c_str());
            trainer->wait();
            return scores;
        }
    }
}

} // namespace topiary::cli
