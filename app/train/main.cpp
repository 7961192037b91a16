// topiary-train: the trainer process. It links libtorch, which nothing else in Topiary
// does (Debian's libtorch brings OpenCV highgui and Qt 5 with it), and talks JSON lines:
//
//   in  (stdin):  {"type": "train", "options": {...TrainOptions, see train/TrainOptions.h}}
//                 {"type": "taylor", "options": {...TaylorOptions}}   Taylor importance scores
//                 {"type": "stop"}       end cleanly after the current step (so does EOF)
//   out (stdout): {"type": "ready", "protocol": 1, "version": "..."} first, then
//                 status, started, progress, validation, checkpoint events, and last
//                 {"type": "done", ...}, {"type": "stopped", ...} or {"type": "error", "message": ...};
//                 a taylor request: status and progress, then {"type": "taylor", "scores": {...}}
//
// `topiary-train --options FILE.json` runs one training without reading stdin (a batch job).
// Exit status: 0 done, 1 error, 2 usage error, 3 stopped.
#include "train/Trainer.h"

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

namespace {

using nlohmann::json;

std::mutex outputMutex;

void send(const json& event)
{
    std::lock_guard lock(outputMutex);
    std::cout << event.dump(-1, ' ', false, json::error_handler_t::replace) << '\n' << std::flush;
}

int fatal(const std::string& message, int code = 1)
{
    send({ { "type", "error" }, { "message", message } });
    return code;
}

int taylor(const json& optionsJson, std::atomic<bool>& stop)
{
    auto options = topiary::train::taylorOptionsFromJson(optionsJson);
    if (!options)
        return fatal("options: " + options.error().message, 2);
    auto result = topiary::train::runTaylor(*options, { send, &stop });
    return result ? 0 : fatal(result.error().message);
}

int train(const json& optionsJson, std::atomic<bool>& stop)
{
    auto options = topiary::train::trainOptionsFromJson(optionsJson);
    if (!options)
        return fatal("options: " + options.error().message, 2);
    auto result = topiary::train::runTraining(*options, { send, &stop });
    if (!result)
        return fatal(result.error().message);
    return result->value("type", "") == "stopped" ? 3 : 0;
}

const char* kUsage = "Usage: topiary-train              (JSON lines on stdin and stdout)\n"
                     "       topiary-train --options FILE.json\n\n"
                     "The trainer process of Topiary: fine-tunes a model under a compression plan with\n"
                     "libtorch. topiary-cli finetune and the window start it; see README.md, 'Training on\n"
                     "another machine', for running it over ssh.\n";

} // namespace

int main(int argc, char** argv)
{
    std::atomic<bool> stop { false };
    const std::string arg1 = argc > 1 ? argv[1] : "";
    if (arg1 == "--help" || arg1 == "-h") {
        std::cout << kUsage;
        return 0;
    }
    if (arg1 == "--version") {
        std::cout << "topiary-train " << TOPIARY_VERSION << '\n';
        return 0;
    }
    if (arg1 == "--options") {
        if (argc != 3) {
            std::cerr << kUsage;
            return 2;
        }
        std::ifstream in(argv[2], std::ios::binary);
        if (!in)
            return fatal(std::string("cannot read ") + argv[2], 2);
        std::stringstream text;
        text << in.rdbuf();
        const json options = json::parse(text.str(), nullptr, false);
        if (options.is_discarded())
            return fatal(std::string(argv[2]) + " is not JSON", 2);
        return train(options, stop);
    }
    if (argc > 1) {
        std::cerr << "topiary-train: unknown argument '" << arg1 << "'\n" << kUsage;
        return 2;
    }

    send({ { "type", "ready" }, { "protocol", 1 }, { "version", TOPIARY_VERSION } });
    std::string line;
    while (std::getline(std::cin, line)) {
        if (line.empty())
            continue;
        const json message = json::parse(line, nullptr, false);
        if (message.is_discarded() || !message.is_object())
            return fatal("expected one JSON object per line, got: " + line.substr(0, 200), 2);
        const std::string type = message.value("type", "");
        if (type == "stop")
            return 3;
        if ((type != "train" && type != "taylor") || !message.contains("options"))
            return fatal("expected {\"type\": \"train\" or \"taylor\", \"options\": {...}} or {\"type\": \"stop\"}, "
                         "got type '"
                    + type + "'",
                2);
        // Stop messages (or the end of stdin) arrive while the training runs.
        std::thread([&stop] {
            std::string next;
            while (std::getline(std::cin, next))
                if (next.find("\"stop\"") != std::string::npos)
                    break;
            stop = true;
        }).detach();
        const int code = type == "taylor" ? taylor(message["options"], stop) : train(message["options"], stop);
        std::cout.flush();
        std::_Exit(code); // the reader thread may still wait on stdin
    }
    return 3; // stdin closed before any training was asked for
}
