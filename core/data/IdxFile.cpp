#include "core/data/IdxFile.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <string>
#include <system_error>

namespace topiary {

namespace {

constexpr uint8_t kUnsignedByte = 0x08;

std::string hex32(uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4)
        s += digits[(v >> shift) & 0xF];
    return s;
}

// gzread() reads gzipped and plain files alike, so one code path serves both.
class IdxStream {
public:
    static Result<IdxStream> open(const std::filesystem::path& file)
    {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec))
            return fail(
                file.string() + ": " + (std::filesystem::exists(file, ec) ? "not a regular file" : "no such file"));
        gzFile handle = gzopen(file.c_str(), "rb");
        if (!handle)
            return fail(file.string() + ": cannot open for reading");
        gzbuffer(handle, 1 << 17);
        return IdxStream(file, handle);
    }

    // Reads up to `size` bytes; returns how many were read (fewer only at the end of the data).
    Result<size_t> read(uint8_t* dst, size_t size)
    {
        size_t done = 0;
        while (done < size) {
            const auto chunk = static_cast<unsigned>(std::min<size_t>(size - done, 1u << 24));
            const int n = gzread(m_handle.get(), dst + done, chunk);
            if (n < 0 || (n == 0 && lastError() == Z_BUF_ERROR))
                return fail(
                    m_file.string() + ": " + (n < 0 ? "corrupt gzip data: " : "truncated gzip data: ") + errorText());
            if (n == 0)
                break;
            done += static_cast<size_t>(n);
        }
        return done;
    }

    bool compressed() const { return gzdirect(m_handle.get()) == 0; }
    const std::filesystem::path& file() const { return m_file; }

private:
    struct Closer {
        void operator()(gzFile f) const { gzclose(f); }
    };

    IdxStream(std::filesystem::path file, gzFile handle)
        : m_file(std::move(file))
        , m_handle(handle)
    {
    }

    int lastError() const
    {
        int code = Z_OK;
        gzerror(m_handle.get(), &code);
        return code;
    }

    std::string errorText() const
    {
        int code = Z_OK;
        const char* text = gzerror(m_handle.get(), &code);
        return text && *text ? text : "unknown zlib error";
    }

    std::filesystem::path m_file;
    std::unique_ptr<std::remove_pointer_t<gzFile>, Closer> m_handle;
};

struct IdxHeader {
    std::vector<int64_t> dims;
    int64_t dataBytes = 0;
};

// Reads the magic and the dims, checking them against what the caller expects.
Result<IdxHeader> readHeader(IdxStream& in, int expectedRank, const char* what, int64_t maxBytes)
{
    const std::string name = in.file().string();
    std::array<uint8_t, 4> magic {};
    auto got = in.read(magic.data(), magic.size());
    if (!got)
        return std::unexpected(got.error());
    if (*got < magic.size())
        return fail(name + ": truncated: the file ends inside the 4-byte IDX magic number");
    const uint32_t magicValue
        = (uint32_t { magic[0] } << 24) | (uint32_t { magic[1] } << 16) | (uint32_t { magic[2] } << 8) | magic[3];
    const uint32_t expectedMagic = (uint32_t { kUnsignedByte } << 8) | static_cast<uint32_t>(expectedRank);
    if (magic[0] != 0 || magic[1] != 0)
        return fail(name + ": not an IDX file (magic number " + hex32(magicValue) + ", expected " + hex32(expectedMagic)
            + " for " + what + ")");
    if (magic[2] != kUnsignedByte)
        return fail(name + ": IDX element type 0x" + hex32(magic[2]).substr(8)
            + " is not supported (only unsigned bytes, 0x08)");
    if (magic[3] != expectedRank)
        return fail(name + ": an IDX file with " + std::to_string(magic[3]) + " dimension(s), expected "
            + std::to_string(expectedRank) + " for " + what + " (magic " + hex32(magicValue) + ", expected "
            + hex32(expectedMagic) + ")");

    std::vector<uint8_t> raw(static_cast<size_t>(expectedRank) * 4);
    got = in.read(raw.data(), raw.size());
    if (!got)
        return std::unexpected(got.error());
    if (*got < raw.size())
        return fail(name + ": truncated: the file ends inside the IDX header");
    IdxHeader header;
    std::string dimsText;
    for (int d = 0; d < expectedRank; ++d) {
        const uint8_t* p = raw.data() + 4 * d;
        const uint32_t dim = (uint32_t { p[0] } << 24) | (uint32_t { p[1] } << 16) | (uint32_t { p[2] } << 8) | p[3];
        header.dims.push_back(dim);
        dimsText += (d ? " x " : "") + std::to_string(dim);
    }
    uint64_t total = 1;
    for (size_t d = 0; d < header.dims.size(); ++d) {
        const auto dim = static_cast<uint64_t>(header.dims[d]);
        if (dim == 0)
            return fail(
                name + ": IDX dimension " + std::to_string(d) + " is 0 (" + dimsText + "): the file holds no " + what);
        // Checked before multiplying, so the product never overflows.
        if (total > static_cast<uint64_t>(maxBytes) / dim)
            return fail(name + ": IDX dimensions " + dimsText + " exceed the limit of " + std::to_string(maxBytes)
                + " bytes of data");
        total *= dim;
    }
    header.dataBytes = static_cast<int64_t>(total);
    return header;
}

// Reads exactly `bytes` bytes of data and checks that nothing follows.
Result<std::vector<uint8_t>> readData(IdxStream& in, int64_t bytes, const std::string& declared)
{
    const std::string name = in.file().string();
    std::vector<uint8_t> data;
    // Grow while reading, so that a header that lies about the size costs no more than the file.
    constexpr size_t kStep = size_t { 64 } << 20;
    const auto wanted = static_cast<size_t>(bytes);
    while (data.size() < wanted) {
        const size_t start = data.size();
        const size_t step = std::min(kStep, wanted - start);
        data.resize(start + step);
        auto got = in.read(data.data() + start, step);
        if (!got)
            return std::unexpected(got.error());
        if (*got < step) {
            const size_t have = start + *got;
            return fail(name + ": truncated: the header declares " + declared + " (" + std::to_string(bytes)
                + " bytes of data), the file holds " + std::to_string(have) + " bytes after the header");
        }
    }
    uint8_t extra = 0;
    auto got = in.read(&extra, 1);
    if (!got)
        return std::unexpected(got.error());
    if (*got != 0)
        return fail(name + ": more data than the header declares (" + declared + "): is it the right file?");
    return data;
}

} // namespace

Result<IdxImages> readIdxImages(const std::filesystem::path& file, int64_t maxBytes)
{
    auto in = IdxStream::open(file);
    if (!in)
        return std::unexpected(in.error());
    auto header = readHeader(*in, 3, "images (count x rows x columns)", maxBytes);
    if (!header)
        return std::unexpected(header.error());
    IdxImages images;
    images.count = header->dims[0];
    images.rows = header->dims[1];
    images.cols = header->dims[2];
    const std::string declared = std::to_string(images.count) + " images of " + std::to_string(images.rows) + "x"
        + std::to_string(images.cols);
    auto data = readData(*in, header->dataBytes, declared);
    if (!data)
        return std::unexpected(data.error());
    images.pixels = std::move(*data);
    return images;
}

Result<std::vector<uint8_t>> readIdxLabels(const std::filesystem::path& file, int64_t maxBytes)
{
    auto in = IdxStream::open(file);
    if (!in)
        return std::unexpected(in.error());
    auto header = readHeader(*in, 1, "labels (count)", maxBytes);
    if (!header)
        return std::unexpected(header.error());
    return readData(*in, header->dataBytes, std::to_string(header->dims[0]) + " labels");
}

std::filesystem::path idxLabelsFileFor(const std::filesystem::path& imagesFile)
{
    std::string name = imagesFile.filename().string();
    bool changed = false;
    for (auto [from, to] : { std::pair { "images", "labels" }, std::pair { "idx3", "idx1" } }) {
        const auto at = name.rfind(from);
        if (at != std::string::npos) {
            name.replace(at, std::string(from).size(), to);
            changed = true;
        }
    }
    if (!changed)
        return {};
    std::vector<std::string> candidates { name };
    constexpr std::string_view gz = ".gz";
    if (name.ends_with(gz))
        candidates.push_back(name.substr(0, name.size() - gz.size()));
    else
        candidates.push_back(name + std::string(gz));
    std::error_code ec;
    for (const auto& candidate : candidates) {
        const auto path = imagesFile.parent_path() / candidate;
        if (std::filesystem::is_regular_file(path, ec))
            return path;
    }
    return {};
}

} // namespace topiary
