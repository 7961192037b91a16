// topiary-train as a child process: started with pipes on its stdin and stdout, spoken to
// in JSON lines (see app/train/main.cpp). topiary-cli never links libtorch; this is how
// it trains. POSIX only (fork/exec), as the rest of the CLI's targets.
#pragma once

#include "core/base/Error.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>

namespace topiary::cli {

// Where topiary-train is: $TOPIARY_TRAIN, else beside this executable, else in the build
// tree's app/train, else "topiary-train" on the PATH.
std::filesystem::path findTrainer();

class TrainerProcess {
public:
    static Result<TrainerProcess> start(const std::filesystem::path& executable);
    TrainerProcess(TrainerProcess&&) noexcept;
    TrainerProcess& operator=(TrainerProcess&&) = delete;
    ~TrainerProcess(); // closes the pipes and waits; kills a child that is still running

    Result<void> send(const nlohmann::json& message);
    // The next JSON line; nullopt at the end of the child's output.
    Result<std::optional<nlohmann::json>> receive();
    // Waits for the child to exit; its exit status (128 + signal when killed).
    int wait();

private:
    TrainerProcess(pid_t pid, int in, int out);
    pid_t m_pid = -1;
    int m_in = -1; // child's stdin
    int m_out = -1; // child's stdout
    std::string m_buffer;
    bool m_eof = false;
    std::optional<int> m_status;
};

} // namespace topiary::cli
