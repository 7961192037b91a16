#include "ModelBuilder.h"

#include <cstring>

namespace topiary::test {

namespace {
void setShape(onnx::ValueInfoProto* vi, const std::vector<int64_t>& dims, int32_t elemType, bool dynamicBatch)
{
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elemType);
    if (dims.empty() && !dynamicBatch)
        return;
    auto* shape = tt->mutable_shape();
    if (dynamicBatch)
        shape->add_dim()->set_dim_param("N");
    for (int64_t d : dims) {
        if (d < 0)
            shape->add_dim()->set_dim_param("N");
        else
            shape->add_dim()->set_dim_value(d);
    }
}
} // namespace

ModelBuilder::ModelBuilder(int64_t opset)
{
    m_model.set_ir_version(8);
    m_model.set_producer_name("topiary-tests");
    auto* op = m_model.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    m_model.mutable_graph()->set_name("test");
}

ModelBuilder& ModelBuilder::input(const std::string& name, std::vector<int64_t> dims, int32_t elemType)
{
    auto* vi = m_model.mutable_graph()->add_input();
    vi->set_name(name);
    setShape(vi, dims, elemType, false);
    return *this;
}

ModelBuilder& ModelBuilder::dynamicBatchInput(const std::string& name, std::vector<int64_t> dimsAfterBatch)
{
    auto* vi = m_model.mutable_graph()->add_input();
    vi->set_name(name);
    setShape(vi, dimsAfterBatch, onnx::TensorProto_DataType_FLOAT, true);
    return *this;
}

ModelBuilder& ModelBuilder::output(const std::string& name, std::vector<int64_t> dims, int32_t elemType)
{
    auto* vi = m_model.mutable_graph()->add_output();
    vi->set_name(name);
    setShape(vi, dims, elemType, false);
    return *this;
}

ModelBuilder& ModelBuilder::weight(const std::string& name, std::vector<int64_t> dims, std::vector<float> values)
{
    int64_t n = 1;
    for (int64_t d : dims)
        n *= d;
    if (values.empty()) {
        values.resize(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i)  // deterministic, varied, both signs
            values[static_cast<size_t>(i)] = static_cast<float>(((i * 7919) % 201) - 100) / 400.0f;
    }
    auto* t = m_model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : dims)
        t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    return *this;
}

ModelBuilder& ModelBuilder::int64s(const std::string& name, std::vector<int64_t> dims, std::vector<int64_t> values)
{
    auto* t = m_model.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_INT64);
    for (int64_t d : dims)
        t->add_dims(d);
    for (int64_t v : values)
        t->add_int64_data(v);
    return *this;
}

onnx::NodeProto& ModelBuilder::node(const std::string& op, std::vector<std::string> inputs,
                                    std::vector<std::string> outputs, const std::string& name)
{
    auto* n = m_model.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto& i : inputs)
        n->add_input(i);
    for (auto& o : outputs)
        n->add_output(o);
    return *n;
}

onnx::NodeProto& ModelBuilder::conv(const std::string& name, const std::string& in, const std::string& out,
                                    int64_t cin, int64_t cout, int64_t k, int64_t group, bool bias,
                                    int64_t stride, int64_t pad)
{
    weight(name + ".weight", {cout, cin / group, k, k});
    std::vector<std::string> inputs{in, name + ".weight"};
    if (bias) {
        weight(name + ".bias", {cout});
        inputs.push_back(name + ".bias");
    }
    auto& n = node("Conv", inputs, {out}, name);
    setAttr(n, "kernel_shape", std::vector<int64_t>{k, k});
    const int64_t p = pad < 0 ? k / 2 : pad;
    setAttr(n, "pads", std::vector<int64_t>{p, p, p, p});
    setAttr(n, "strides", std::vector<int64_t>{stride, stride});
    if (group != 1)
        setAttr(n, "group", group);
    return n;
}

onnx::NodeProto& ModelBuilder::batchNorm(const std::string& name, const std::string& in, const std::string& out,
                                         int64_t channels)
{
    std::vector<float> ones(static_cast<size_t>(channels), 1.0f);
    std::vector<float> gamma(static_cast<size_t>(channels));
    for (int64_t i = 0; i < channels; ++i)
        gamma[static_cast<size_t>(i)] = 0.5f + 0.1f * static_cast<float>(i % 7);
    weight(name + ".weight", {channels}, gamma);
    weight(name + ".bias", {channels});
    weight(name + ".running_mean", {channels});
    weight(name + ".running_var", {channels}, ones);
    return node("BatchNormalization",
                {in, name + ".weight", name + ".bias", name + ".running_mean", name + ".running_var"}, {out}, name);
}

std::string ModelBuilder::bytes() const
{
    std::string s;
    m_model.SerializeToString(&s);
    return s;
}

std::string ModelBuilder::convTail(const std::string& after, const std::string& in, int64_t channels)
{
    std::string last = in;
    if (after.starts_with("bn")) {
        batchNorm("bn", last, "bn_out", channels);
        last = "bn_out";
    }
    if (after.ends_with("relu")) {
        node("Relu", { last }, { "act" }, "relu");
        last = "act";
    } else if (after.ends_with("clip")) {
        weight("lo", {}, { 0.0f });
        weight("hi", {}, { 0.5f });
        node("Clip", { last, "lo", "hi" }, { "act" }, "clip");
        last = "act";
    } else if (after == "leaky") {
        auto& leaky = node("LeakyRelu", { last }, { "act" }, "leaky");
        setAttr(leaky, "alpha", 0.1f);
        last = "act";
    }
    return last;
}

void setAttr(onnx::NodeProto& node, const std::string& name, int64_t value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INT);
    a->set_i(value);
}

void setAttr(onnx::NodeProto& node, const std::string& name, float value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_FLOAT);
    a->set_f(value);
}

void setAttr(onnx::NodeProto& node, const std::string& name, std::vector<int64_t> values)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_INTS);
    for (int64_t v : values)
        a->add_ints(v);
}

void setAttr(onnx::NodeProto& node, const std::string& name, const onnx::TensorProto& value)
{
    auto* a = node.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto_AttributeType_TENSOR);
    *a->mutable_t() = value;
}

onnx::ModelProto makeResidualNet()
{
    ModelBuilder b;
    b.input("input", { 1, 3, 16, 16 });
    b.conv("c1", "input", "c1o", 3, 8, 3);
    b.node("Relu", { "c1o" }, { "a1" }, "r1");
    b.conv("c2", "a1", "c2o", 8, 8, 3);
    b.node("Relu", { "c2o" }, { "a2" }, "r2");
    b.conv("c3", "a2", "c3o", 8, 8, 3);
    b.node("Add", { "c3o", "a1" }, { "sum" }, "add");
    b.node("Relu", { "sum" }, { "a3" }, "r3");
    auto& pool = b.node("MaxPool", { "a3" }, { "p" }, "pool");
    setAttr(pool, "kernel_shape", std::vector<int64_t> { 2, 2 });
    setAttr(pool, "strides", std::vector<int64_t> { 2, 2 });
    b.conv("c4", "p", "c4o", 8, 16, 3);
    b.node("Relu", { "c4o" }, { "a4" }, "r4");
    b.node("GlobalAveragePool", { "a4" }, { "gap" }, "gap");
    auto& fl = b.node("Flatten", { "gap" }, { "flat" }, "flatten");
    setAttr(fl, "axis", int64_t { 1 });
    b.weight("fc.weight", { 10, 16 });
    b.weight("fc.bias", { 10 });
    auto& fc = b.node("Gemm", { "flat", "fc.weight", "fc.bias" }, { "logits" }, "fc");
    setAttr(fc, "transB", int64_t { 1 });
    b.output("logits", { 1, 10 });
    return b.build();
}

onnx::ModelProto makeSmallCnn(bool dynamicBatch)
{
    ModelBuilder b;
    if (dynamicBatch)
        b.dynamicBatchInput("input", {1, 28, 28});
    else
        b.input("input", {1, 1, 28, 28});
    b.conv("stem", "input", "stem_out", 1, 8, 3, 1, false);
    b.batchNorm("stem_bn", "stem_out", "stem_bn_out", 8);
    b.node("Relu", {"stem_bn_out"}, {"a0"}, "stem_relu");
    // residual block
    b.conv("block1.conv1", "a0", "b1", 8, 8, 3, 1, false);
    b.batchNorm("block1.bn1", "b1", "b1n", 8);
    b.node("Relu", {"b1n"}, {"b1r"}, "block1.relu1");
    b.conv("block1.conv2", "b1r", "b2", 8, 8, 3, 1, false);
    b.batchNorm("block1.bn2", "b2", "b2n", 8);
    b.node("Add", {"b2n", "a0"}, {"res"}, "block1.add");
    b.node("Relu", {"res"}, {"a1"}, "block1.relu2");
    // depthwise-separable block
    b.conv("dw", "a1", "dwo", 8, 8, 3, 8, false, 2);
    b.batchNorm("dw_bn", "dwo", "dwn", 8);
    b.node("Relu", {"dwn"}, {"dwr"}, "dw_relu");
    b.conv("pw", "dwr", "pwo", 8, 16, 1, 1, false);
    b.batchNorm("pw_bn", "pwo", "pwn", 16);
    b.node("Relu", {"pwn"}, {"a2"}, "pw_relu");
    b.node("GlobalAveragePool", {"a2"}, {"gap"}, "gap");
    auto& fl = b.node("Flatten", {"gap"}, {"flat"}, "flatten");
    setAttr(fl, "axis", int64_t{1});
    b.weight("fc.weight", {10, 16});
    b.weight("fc.bias", {10});
    auto& fc = b.node("Gemm", {"flat", "fc.weight", "fc.bias"}, {"logits"}, "fc");
    setAttr(fc, "transB", int64_t{1});
    b.output("logits", {dynamicBatch ? -1 : 1, 10});
    return b.build();
}

} // namespace topiary::test
