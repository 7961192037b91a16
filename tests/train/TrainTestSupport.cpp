#include "TrainTestSupport.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace topiary::test {

std::filesystem::path trainFixturesDir()
{
    return TOPIARY_TRAIN_FIXTURES_DIR;
}

nlohmann::json readJson(const std::filesystem::path& file)
{
    std::ifstream in(file);
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    return nlohmann::json::parse(in);
}

onnx::ModelProto readProto(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    onnx::ModelProto proto;
    if (!proto.ParseFromString(bytes.str()))
        throw std::runtime_error("cannot parse " + file.string());
    return proto;
}

train::FloatTensor tensorFromJson(const nlohmann::json& j)
{
    return { j.at("shape").get<std::vector<int64_t>>(), j.at("values").get<std::vector<float>>() };
}

double relativeDifference(const train::FloatTensor& a, const train::FloatTensor& b, double floor)
{
    if (a.shape != b.shape || a.values.size() != b.values.size())
        return 1e30;
    double scale = floor, diff = 0.0;
    for (size_t i = 0; i < a.values.size(); ++i) {
        scale = std::max(scale, std::abs(static_cast<double>(b.values[i])));
        diff = std::max(diff, std::abs(static_cast<double>(a.values[i]) - b.values[i]));
    }
    return diff / scale;
}

} // namespace topiary::test
