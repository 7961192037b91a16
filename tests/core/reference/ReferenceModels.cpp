#include "ReferenceModels.h"

#include <fstream>
#include <stdexcept>

namespace topiary::test {

std::filesystem::path referenceDir()
{
    if (const char* env = std::getenv("TOPIARY_REFERENCE_DIR"))
        return env;
    return TOPIARY_REFERENCE_DIR;
}

const nlohmann::json& references()
{
    static const nlohmann::json json = [] {
        std::ifstream in(referenceDir() / "references.json");
        if (!in)
            throw std::runtime_error("no references.json in " + referenceDir().string() +
                                     "; run the generate_reference_models test first");
        return nlohmann::json::parse(in);
    }();
    return json;
}

std::vector<std::string> referenceModelNames()
{
    std::vector<std::string> names;
    for (auto it = references().begin(); it != references().end(); ++it)
        if (it.value().is_object() && it.value().contains("params_pytorch"))
            names.push_back(it.key());
    return names;
}

std::vector<float> readFloats(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + file.string());
    std::vector<float> v(std::filesystem::file_size(file) / sizeof(float));
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
    return v;
}

} // namespace topiary::test
