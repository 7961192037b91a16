#include "core/data/ImageList.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace topiary {

namespace {

namespace fs = std::filesystem;

struct Entry {
    std::string path;
    std::string label; // as written
    int line = 0;
};

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string trim(const std::string& s)
{
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos)
        return {};
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Splits one line at `sep`, honouring CSV quotes ("a, b.png" and "" for a quote inside).
Result<std::vector<std::string>> splitFields(const std::string& line, char sep, const std::string& where)
{
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false; // inside quotes
    bool wasQuoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"' && trim(field).empty()) {
            quoted = true;
            wasQuoted = true;
            field.clear();
        } else if (c == sep) {
            fields.push_back(wasQuoted ? field : trim(field));
            field.clear();
            wasQuoted = false;
        } else if (wasQuoted && c != ' ' && c != '\t') {
            return fail(where + ": text after a closing quote");
        } else if (!wasQuoted) {
            field += c;
        }
    }
    if (quoted)
        return fail(where + ": a quote is not closed");
    fields.push_back(wasQuoted ? field : trim(field));
    return fields;
}

bool isHeader(const std::vector<std::string>& fields)
{
    static const std::set<std::string> pathNames
        = { "path", "file", "filename", "file_name", "filepath", "image", "image_path", "img" };
    static const std::set<std::string> labelNames
        = { "label", "labels", "class", "class_name", "category", "target", "y", "label_name" };
    return pathNames.contains(lower(fields[0])) && (fields.size() < 2 || labelNames.contains(lower(fields[1])));
}

// A class index (>= 0), -1 for "unlabelled", or nullopt for a class name.
std::optional<int64_t> labelNumber(const std::string& text)
{
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec == std::errc::result_out_of_range)
        return INT64_MAX;
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return v;
}

Result<std::string> readText(const fs::path& file)
{
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        return fail(file.string() + ": " + (fs::exists(file, ec) ? "not a regular file" : "no such file"));
    const auto size = fs::file_size(file, ec);
    if (ec)
        return fail(file.string() + ": cannot read: " + ec.message());
    if (size > static_cast<uintmax_t>(kImageListMaxBytes))
        return fail(file.string() + ": " + std::to_string(size) + " bytes is too large for an image list (limit "
            + std::to_string(kImageListMaxBytes) + ")");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fail(file.string() + ": cannot open for reading");
    std::ostringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    if (s.find('\0') != std::string::npos)
        return fail(file.string() + ": not a text file");
    if (s.starts_with("\xEF\xBB\xBF"))
        s.erase(0, 3);
    return s;
}

} // namespace

Result<ImageSamples> readImageList(const fs::path& listFile, const std::vector<std::string>& classNames)
{
    auto text = readText(listFile);
    if (!text)
        return std::unexpected(text.error());
    const std::string name = listFile.string();
    const std::string ext = lower(listFile.extension().string());
    std::optional<char> sep;
    if (ext == ".csv")
        sep = ',';
    else if (ext == ".tsv")
        sep = '\t';

    std::vector<Entry> entries;
    std::istringstream lines(*text);
    std::string line;
    int lineNumber = 0;
    bool first = true;
    while (std::getline(lines, line)) {
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (trim(line).empty() || trim(line).front() == '#')
            continue;
        if (!sep)
            sep = line.find('\t') != std::string::npos ? '\t' : ',';
        const std::string where = name + ":" + std::to_string(lineNumber);
        auto fields = splitFields(line, *sep, where);
        if (!fields)
            return std::unexpected(fields.error());
        const bool header = first && isHeader(*fields);
        first = false;
        if (header)
            continue;
        if (fields->size() > 2)
            return fail(where + ": expected 'path" + std::string(*sep == '\t' ? "<tab>" : ",") + "label', found "
                + std::to_string(fields->size()) + " fields");
        if ((*fields)[0].empty())
            return fail(where + ": the path is empty");
        entries.push_back({ (*fields)[0], fields->size() > 1 ? (*fields)[1] : std::string(), lineNumber });
    }
    if (entries.empty())
        return fail(name + ": the list names no images");

    // Labels: all numbers or all class names, never a mix (a typo would silently become a class).
    std::vector<int> labels(entries.size(), -1);
    const Entry* firstNumber = nullptr;
    const Entry* firstName = nullptr;
    std::set<std::string> names;
    for (size_t i = 0; i < entries.size(); ++i) {
        const Entry& e = entries[i];
        if (e.label.empty())
            continue;
        const std::string where = name + ":" + std::to_string(e.line);
        if (auto n = labelNumber(e.label)) {
            if (*n < -1 || *n > INT_MAX)
                return fail(where + ": label " + e.label + " is not a class index (0 or more, or -1 for none)");
            labels[i] = static_cast<int>(*n);
            firstNumber = firstNumber ? firstNumber : &e;
        } else {
            names.insert(e.label);
            firstName = firstName ? firstName : &e;
        }
        if (firstNumber && firstName)
            return fail(where + ": labels mix class indices (line " + std::to_string(firstNumber->line) + ": '"
                + firstNumber->label + "') and class names (line " + std::to_string(firstName->line) + ": '"
                + firstName->label + "')");
    }

    ImageSamples out;
    if (firstName) {
        out.classNames = classNames.empty() ? std::vector<std::string>(names.begin(), names.end()) : classNames;
        std::map<std::string, int> index;
        for (size_t c = 0; c < out.classNames.size(); ++c)
            index.emplace(out.classNames[c], static_cast<int>(c));
        for (size_t i = 0; i < entries.size(); ++i) {
            if (entries[i].label.empty())
                continue;
            const auto it = index.find(entries[i].label);
            if (it == index.end())
                return fail(name + ":" + std::to_string(entries[i].line) + ": unknown class '" + entries[i].label
                    + "' (not among the " + std::to_string(out.classNames.size()) + " class names given)");
            labels[i] = it->second;
        }
    } else {
        out.classNames = classNames;
    }

    const fs::path base = listFile.parent_path();
    for (size_t i = 0; i < entries.size(); ++i) {
        fs::path file(entries[i].path);
        if (file.is_relative())
            file = base / file;
        if (auto ok = checkImageSignature(file); !ok) {
            out.skipped.push_back(ok.error().message + " (line " + std::to_string(entries[i].line) + ")");
            continue;
        }
        out.samples.push_back({ file, labels[i] });
    }
    return out;
}

} // namespace topiary
