#include "PythonCheck.h"

#include "OrtRunner.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace topiary::test {

std::string shellQuoted(const std::string& s)
{
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

void writeFloatFile(const std::filesystem::path& file, std::span<const float> values)
{
    std::ofstream f(file, std::ios::binary);
    f.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size_bytes()));
}

std::vector<float> readFloatFile(const std::filesystem::path& file)
{
    std::vector<float> v(std::filesystem::file_size(file) / sizeof(float));
    std::ifstream f(file, std::ios::binary);
    f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
    return v;
}

void runPython(const std::string& script, const std::vector<std::string>& args)
{
    const auto dir = makeTempDir("topiary-py");
    const auto file = dir / "check.py";
    const auto err = dir / "stderr.txt";
    std::ofstream(file) << script;
    const char* env = std::getenv("TOPIARY_PYTHON");
    std::string cmd = shellQuoted(env ? env : "/usr/bin/python3") + " " + shellQuoted(file.string());
    for (const auto& a : args)
        cmd += " " + shellQuoted(a);
    cmd += " 2> " + shellQuoted(err.string());
    const int rc = std::system(cmd.c_str());
    std::stringstream ss;
    ss << std::ifstream(err).rdbuf();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (rc != 0)
        FAIL("python failed: " << ss.str());
}

} // namespace topiary::test
