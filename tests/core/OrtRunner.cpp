#include "OrtRunner.h"

#include "core/eval/OpenCvNet.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace topiary::test {

namespace {

std::string quoted(const std::filesystem::path& p)
{
    std::string s = "'";
    for (char c : p.string())
        s += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return s + "'";
}

std::string readText(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

std::filesystem::path makeTempDir(const std::string& prefix)
{
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto dir = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(rd()));
        if (std::filesystem::create_directory(dir))
            return dir;
    }
    throw std::runtime_error("cannot create a temporary folder");
}

OrtResult runInOrt(const std::filesystem::path& model, std::span<const float> input, std::span<const int64_t> dims)
{
    const auto dir = makeTempDir("topiary-ort");
    const auto in = dir / "input.bin";
    const auto out = dir / "output.bin";
    const auto err = dir / "stderr.txt";
    {
        std::ofstream f(in, std::ios::binary);
        f.write(reinterpret_cast<const char*>(input.data()), static_cast<std::streamsize>(input.size_bytes()));
    }
    std::string shape;
    for (size_t i = 0; i < dims.size(); ++i)
        shape += (i ? "," : "") + std::to_string(dims[i]);
    const std::filesystem::path script = std::filesystem::path(TOPIARY_SOURCE_DIR) / "tests" / "ort" / "run.js";
    const std::string cmd = "node " + quoted(script) + " " + quoted(model) + " " + quoted(in) + " " + shape + " "
        + quoted(out) + " 2> " + quoted(err);
    OrtResult result;
    const int rc = std::system(cmd.c_str());
    if (rc != 0) {
        result.error = "onnxruntime failed (exit " + std::to_string(rc) + "): " + readText(err);
    } else {
        std::ifstream f(out, std::ios::binary);
        const auto bytes = std::filesystem::file_size(out);
        result.output.resize(bytes / sizeof(float));
        f.read(reinterpret_cast<char*>(result.output.data()), static_cast<std::streamsize>(bytes));
        result.ok = true;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return result;
}

std::vector<float> runInOpenCv(const onnx::ModelProto& model, std::span<const float> input, std::span<const int64_t> dims)
{
    auto net = OpenCvNet::create(model);
    INFO((net ? std::string() : net.error().message));
    REQUIRE(net);
    std::vector<int> d(dims.begin(), dims.end());
    cv::Mat x(static_cast<int>(d.size()), d.data(), CV_32F);
    std::copy(input.begin(), input.end(), x.ptr<float>());
    auto y = net->forward(x);
    INFO((y ? std::string() : y.error().message));
    REQUIRE(y);
    REQUIRE(y->isContinuous());
    return { y->ptr<float>(), y->ptr<float>() + y->total() };
}

} // namespace topiary::test
