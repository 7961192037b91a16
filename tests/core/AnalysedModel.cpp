#include "AnalysedModel.h"

#include <catch2/catch.hpp>

namespace topiary::test {

namespace {

AnalysedModel analysed(Result<Model> model)
{
    INFO((model ? std::string() : model.error().message));
    REQUIRE(model.has_value());
    auto layers = findLayers(*model);
    auto groups = findDependencyGroups(*model, layers);
    return AnalysedModel { std::move(*model), std::move(layers), std::move(groups) };
}

} // namespace

int AnalysedModel::layer(const std::string& name) const
{
    for (size_t i = 0; i < layers.size(); ++i)
        if (layers[i].name == name)
            return static_cast<int>(i);
    FAIL("no layer " << name);
    return -1;
}

AnalysedModel analyseModel(const onnx::ModelProto& proto)
{
    return analysed(Model::fromProto(proto, {}));
}

AnalysedModel analyseModel(const std::filesystem::path& file)
{
    INFO("loading " << file.string());
    return analysed(Model::load(file));
}

} // namespace topiary::test
