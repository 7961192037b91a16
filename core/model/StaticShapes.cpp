#include "core/model/StaticShapes.h"

#include <onnx/shape_inference/implementation.h>

#include <exception>

namespace topiary {

namespace {

void addShape(ShapeMap& shapes, const onnx::ValueInfoProto& vi)
{
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape())
        return;
    std::vector<int64_t> dims;
    for (const auto& d : vi.type().tensor_type().shape().dim()) {
        if (!d.has_dim_value() || d.dim_value() < 0)
            return;
        dims.push_back(d.dim_value());
    }
    shapes.emplace(vi.name(), std::move(dims));
}

} // namespace

ShapeMap inferStaticShapes(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    const auto savedValueInfo = graph.value_info();
    const auto savedOutputs = graph.output();
    std::unordered_map<std::string, onnx::TensorShapeProto> propagatedData;
    try {
        // Data propagation lets Reshape see through Shape -> Gather -> Concat chains.
        onnx::shape_inference::InferShapes(
            model, onnx::OpSchemaRegistry::Instance(), onnx::ShapeInferenceOptions(false, 0, true), &propagatedData);
    } catch (const std::exception&) {
        // A model ONNX cannot infer still has its declared shapes; use those.
    }

    ShapeMap shapes;
    for (const auto& t : graph.initializer())
        shapes.emplace(t.name(), std::vector<int64_t>(t.dims().begin(), t.dims().end()));
    for (const auto& vi : graph.input())
        addShape(shapes, vi);
    for (const auto& vi : graph.output())
        addShape(shapes, vi);
    for (const auto& vi : graph.value_info())
        addShape(shapes, vi);

    *graph.mutable_value_info() = savedValueInfo;
    *graph.mutable_output() = savedOutputs;
    return shapes;
}

} // namespace topiary
