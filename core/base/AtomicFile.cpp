#include "core/base/AtomicFile.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace topiary {

namespace fs = std::filesystem;

namespace {

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

std::string errnoText(int err) { return std::strerror(err); }

// The mode a new file gets from open(..., 0666): mkstemp() creates 0600 files, which
// would make every export private. The umask is read from /proc (umask() would change it,
// racing with other threads); 022 when /proc is not there.
mode_t newFileMode()
{
    mode_t mask = 022;
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Umask:", 0) == 0) {
            try {
                mask = static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
            } catch (const std::exception&) {
            }
            break;
        }
    }
    return static_cast<mode_t>(0666 & ~mask);
}

// Closes and removes the temporary file unless it was renamed into place.
class TempFile {
public:
    TempFile(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile()
    {
        close();
        if (!m_kept)
            ::unlink(m_path.c_str());
    }
    int fd() const { return m_fd; }
    const std::string& path() const { return m_path; }
    int close()
    {
        if (m_fd < 0)
            return 0;
        const int rc = ::close(m_fd);
        m_fd = -1;
        return rc;
    }
    void keep() { m_kept = true; }

private:
    int m_fd = -1;
    std::string m_path;
    bool m_kept = false;
};

Error writeError(int err, const fs::path& target)
{
    if (err == ENOSPC || err == EDQUOT)
        return {"cannot write " + quoted(target) + ": the disk is full (" + errnoText(err) + ")"};
    if (err == EFBIG)
        return {"cannot write " + quoted(target) + ": the file exceeds the size this system allows (" +
                errnoText(err) + ")"};
    return {"cannot write " + quoted(target) + ": " + errnoText(err)};
}

} // namespace

Result<void> checkWriteTarget(const fs::path& target)
{
    if (target.empty())
        return fail("no file name to write to");
    std::error_code ec;
    if (fs::is_directory(target, ec))
        return fail("cannot write " + quoted(target) + ": it is a folder");
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::exists(folder, ec))
        return fail("cannot write " + quoted(target) + ": the folder " + quoted(folder) + " does not exist");
    if (!fs::is_directory(folder, ec))
        return fail("cannot write " + quoted(target) + ": " + quoted(folder) + " is not a folder");
    return {};
}

Result<void> writeFileAtomically(const fs::path& target, std::string_view bytes)
{
    if (auto ok = checkWriteTarget(target); !ok)
        return ok;
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");

    // The temporary file lives next to the target so rename() stays within one file system.
    std::string pattern = (folder / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) {
        const int err = errno;
        if (err == EACCES || err == EPERM)
            return fail("cannot write in the folder " + quoted(folder) + ": permission denied");
        if (err == EROFS)
            return fail("cannot write in the folder " + quoted(folder) + ": it is on a read-only file system");
        return std::unexpected(writeError(err, target));
    }
    TempFile temp(fd, pattern);

    const char* data = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(temp.fd(), data, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return std::unexpected(writeError(errno, target));
        }
        data += n;
        left -= static_cast<size_t>(n);
    }

    // An existing target keeps its permissions; a new file gets the usual 0666 & ~umask.
    struct stat st {};
    const mode_t mode = ::stat(target.c_str(), &st) == 0 ? (st.st_mode & 07777) : newFileMode();
    ::fchmod(temp.fd(), mode);  // best effort: a failure leaves a private but valid file

    if (::fsync(temp.fd()) != 0)
        return std::unexpected(writeError(errno, target));
    if (temp.close() != 0)
        return std::unexpected(writeError(errno, target));
    if (::rename(temp.path().c_str(), target.c_str()) != 0) {
        const int err = errno;
        if (err == EACCES || err == EPERM)
            return fail("cannot replace " + quoted(target) + ": permission denied");
        return fail("cannot replace " + quoted(target) + ": " + errnoText(err));
    }
    temp.keep();

    // Makes the rename itself durable; failing here cannot undo the write.
    const int dirFd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return {};
}

} // namespace topiary
