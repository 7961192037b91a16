#include "app/cli/TrainerProcess.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace topiary::cli {

std::filesystem::path findTrainer()
{
    if (const char* env = std::getenv("TOPIARY_TRAIN"); env && *env)
        return env;
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto dir = self.parent_path();
        for (const auto& candidate : { dir / "topiary-train", dir.parent_path() / "train" / "topiary-train" })
            if (std::filesystem::exists(candidate, ec))
                return candidate;
    }
    return "topiary-train";
}

TrainerProcess::TrainerProcess(pid_t pid, int in, int out)
    : m_pid(pid)
    , m_in(in)
    , m_out(out)
{
}

TrainerProcess::TrainerProcess(TrainerProcess&& other) noexcept
    : m_pid(std::exchange(other.m_pid, -1))
    , m_in(std::exchange(other.m_in, -1))
    , m_out(std::exchange(other.m_out, -1))
    , m_buffer(std::move(other.m_buffer))
    , m_eof(other.m_eof)
    , m_status(other.m_status)
{
}

TrainerProcess::~TrainerProcess()
{
    if (m_in >= 0)
        ::close(m_in);
    if (m_pid > 0 && !m_status) {
        // Closing stdin asks the trainer to stop; give it a moment, then kill it.
        for (int i = 0; i < 50 && !m_status; ++i) {
            int status = 0;
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid)
                m_status = status;
            else
                ::usleep(100000);
        }
        if (!m_status) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    if (m_out >= 0)
        ::close(m_out);
}

Result<TrainerProcess> TrainerProcess::start(const std::filesystem::path& executable)
{
    int toChild[2], fromChild[2];
    if (::pipe2(toChild, O_CLOEXEC) != 0)
        return fail(std::string("cannot create a pipe: ") + std::strerror(errno));
    if (::pipe2(fromChild, O_CLOEXEC) != 0) {
        ::close(toChild[0]);
        ::close(toChild[1]);
        return fail(std::string("cannot create a pipe: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0);
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1);
    const std::string path = executable.string();
    char* argv[] = { const_cast<char*>(path.c_str()), nullptr };
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, path.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(toChild[0]);
    ::close(fromChild[1]);
    if (rc != 0) {
        ::close(toChild[1]);
        ::close(fromChild[0]);
        return fail("cannot start the trainer " + path + ": " + std::strerror(rc)
            + " (build topiary-train, or name it with TOPIARY_TRAIN=/path/to/topiary-train)");
    }
    std::signal(SIGPIPE, SIG_IGN); // a trainer that dies must be an error, not our death
    return TrainerProcess(pid, toChild[1], fromChild[0]);
}

Result<void> TrainerProcess::send(const nlohmann::json& message)
{
    const std::string line = message.dump() + "\n";
    size_t written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(m_in, line.data() + written, line.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(std::string("the trainer stopped listening: ") + std::strerror(errno));
        written += static_cast<size_t>(n);
    }
    return {};
}

Result<std::optional<nlohmann::json>> TrainerProcess::receive()
{
    for (;;) {
        if (auto nl = m_buffer.find('\n'); nl != std::string::npos) {
            const std::string line = m_buffer.substr(0, nl);
            m_buffer.erase(0, nl + 1);
            if (line.empty())
                continue;
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded() || !j.is_object())
                return fail("the trainer wrote something that is not a JSON object: " + line.substr(0, 200));
            return std::optional<nlohmann::json>(std::move(j));
        }
        if (m_eof)
            return std::optional<nlohmann::json>();
        char chunk[65536];
        const ssize_t n = ::read(m_out, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(std::string("reading from the trainer: ") + std::strerror(errno));
        if (n == 0)
            m_eof = true;
        else
            m_buffer.append(chunk, static_cast<size_t>(n));
    }
}

int TrainerProcess::wait()
{
    if (m_in >= 0) {
        ::close(m_in);
        m_in = -1;
    }
    if (!m_status) {
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) { }
        m_status = status;
    }
    return WIFEXITED(*m_status) ? WEXITSTATUS(*m_status) : 128 + WTERMSIG(*m_status);
}

} // namespace topiary::cli
