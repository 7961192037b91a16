#include "core/passes/DeclareOutputShapes.h"

#include "core/model/StaticShapes.h"

namespace topiary {

namespace {

bool lacksShape(const onnx::ValueInfoProto& vi)
{
    return !vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape();
}

} // namespace

void declareOutputShapes(onnx::ModelProto& model)
{
    auto& graph = *model.mutable_graph();
    bool any = false;
    for (const auto& out : graph.output())
        any = any || lacksShape(out);
    if (!any)
        return;

    const ShapeMap shapes = inferStaticShapes(model);
    for (auto& out : *graph.mutable_output()) {
        if (!lacksShape(out))
            continue;
        auto* tensor = out.mutable_type()->mutable_tensor_type();
        if (!tensor->has_elem_type())
            tensor->set_elem_type(onnx::TensorProto_DataType_FLOAT);
        auto* shape = tensor->mutable_shape();
        if (auto it = shapes.find(out.name()); it != shapes.end())
            for (int64_t d : it->second)
                shape->add_dim()->set_dim_value(d);
    }
}

} // namespace topiary
