// Loading valid models, and every kind of broken or hostile input the loader must
// turn into a message a person can act on.
#include "ModelBuilder.h"

#include "core/model/Model.h"
#include "core/model/TensorData.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using namespace topiary;
using topiary::test::ModelBuilder;
using Catch::Matchers::Contains;

namespace {

// A fresh folder per test, removed afterwards.
struct TempDir {
    fs::path path;
    TempDir()
    {
        static int counter = 0;
        path = fs::temp_directory_path() /
               ("topiary-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    fs::path write(const std::string& name, const std::string& bytes) const
    {
        const fs::path p = path / name;
        fs::create_directories(p.parent_path());
        std::ofstream(p, std::ios::binary) << bytes;
        return p;
    }
};

std::string loadError(const fs::path& file)
{
    auto m = Model::load(file);
    REQUIRE_FALSE(m.has_value());
    return m.error().message;
}

std::string protoError(const onnx::ModelProto& proto)
{
    std::string bytes;
    proto.SerializeToString(&bytes);
    auto m = Model::fromBytes(bytes, {});
    REQUIRE_FALSE(m.has_value());
    return m.error().message;
}

// A model whose one Conv weight lives in an external file named by `location`.
onnx::ModelProto externalWeightModel(const std::string& location, int64_t length = 8 * 4)
{
    ModelBuilder b;
    b.input("x", {1, 2, 4, 4});
    auto* w = b.proto().mutable_graph()->add_initializer();
    w->set_name("w");
    w->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (int64_t d : {4, 2, 1, 1})
        w->add_dims(d);
    w->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
    auto* kv = w->add_external_data();
    kv->set_key("location");
    kv->set_value(location);
    kv = w->add_external_data();
    kv->set_key("length");
    kv->set_value(std::to_string(length));
    b.node("Conv", {"x", "w"}, {"y"}, "conv");
    b.output("y");
    return b.build();
}

std::string floatBytes(int count, float start = 0.5f)
{
    std::vector<float> v(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i)
        v[static_cast<size_t>(i)] = start + static_cast<float>(i);
    return {reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)};
}

} // namespace

TEST_CASE("a valid model loads with topological order, shapes and float views", "[loader]")
{
    TempDir dir;
    const auto file = dir.write("small.onnx", test::makeSmallCnn().SerializeAsString());
    auto m = Model::load(file);
    REQUIRE(m.has_value());
    CHECK(m->warnings().empty());
    CHECK(m->inputs() == std::vector<std::string>{"input"});
    CHECK(m->outputs() == std::vector<std::string>{"logits"});
    CHECK(m->fileBytes() == static_cast<int64_t>(fs::file_size(file)));
    CHECK(m->opsetVersion() == 13);
    const TensorInfo* t = m->tensor("dwo");
    REQUIRE(t);
    CHECK(t->shape == std::vector<int64_t>{1, 8, 14, 14});
    CHECK(m->tensor("logits")->shape == std::vector<int64_t>{1, 10});
    const Constant* w = m->constant("stem.weight");
    REQUIRE(w);
    CHECK(w->floats.size() == 8 * 1 * 3 * 3);
    CHECK(w->floats[1] == Approx(static_cast<float>(((1 * 7919) % 201) - 100) / 400.0f));
    // every node comes after the producers of its inputs
    for (size_t i = 0; i < m->nodes().size(); ++i)
        for (const auto& in : m->nodes()[i].inputs)
            CHECK(m->producer(in) < static_cast<int>(i));
    CHECK(m->consumers("a0").size() == 2);  // block1.conv1 and the residual Add
}

TEST_CASE("a dynamic batch is taken as 1 for shapes, and the file keeps it symbolic", "[loader]")
{
    auto m = Model::fromProto(test::makeSmallCnn(true), {});
    REQUIRE(m.has_value());
    CHECK(m->tensor("stem_out")->shape == std::vector<int64_t>{1, 8, 28, 28});
    CHECK(m->proto().graph().input(0).type().tensor_type().shape().dim(0).dim_param() == "N");
}

TEST_CASE("shape inference leaves the original proto untouched", "[loader]")
{
    const auto proto = test::makeSmallCnn();
    auto m = Model::fromProto(proto, {});
    REQUIRE(m.has_value());
    CHECK(m->proto().graph().value_info_size() == 0);
    CHECK(m->proto().SerializeAsString() == proto.SerializeAsString());
}

TEST_CASE("nodes without names get unique generated names", "[loader]")
{
    ModelBuilder b;
    b.input("x", {1, 4});
    b.node("Relu", {"x"}, {"a"});
    b.node("Relu", {"a"}, {"b"});
    b.output("b");
    auto m = Model::fromProto(b.build(), {});
    REQUIRE(m.has_value());
    CHECK(m->nodes()[0].name == "Relu_0");
    CHECK(m->nodes()[1].name == "Relu_1");
    CHECK(m->findNode("Relu_1") == 1);
}

TEST_CASE("float16, double and typed-field initializers are read as floats", "[loader]")
{
    ModelBuilder b;
    b.input("x", {1, 2});
    auto* h = b.proto().mutable_graph()->add_initializer();
    h->set_name("h");
    h->set_data_type(onnx::TensorProto_DataType_FLOAT16);
    h->add_dims(2);
    const uint16_t halves[2] = {floatToHalf(1.5f), floatToHalf(-0.25f)};
    h->set_raw_data(std::string(reinterpret_cast<const char*>(halves), sizeof halves));
    auto* d = b.proto().mutable_graph()->add_initializer();
    d->set_name("d");
    d->set_data_type(onnx::TensorProto_DataType_DOUBLE);
    d->add_dims(2);
    d->add_double_data(3.0);
    d->add_double_data(-4.5);
    auto* f = b.proto().mutable_graph()->add_initializer();
    f->set_name("f");
    f->set_data_type(onnx::TensorProto_DataType_FLOAT);
    f->add_dims(2);
    f->add_float_data(7.0f);
    f->add_float_data(8.0f);
    b.node("Add", {"x", "f"}, {"y"}, "add");
    b.output("y");
    auto m = Model::fromProto(b.build(), {});
    REQUIRE(m.has_value());
    CHECK(std::vector<float>(m->constant("h")->floats.begin(), m->constant("h")->floats.end()) ==
          std::vector<float>{1.5f, -0.25f});
    CHECK(m->constant("d")->floats[1] == -4.5f);
    CHECK(m->constant("f")->floats[0] == 7.0f);
}

TEST_CASE("half-precision conversion round-trips every finite half", "[loader]")
{
    for (uint32_t bits = 0; bits < 0x10000; ++bits) {
        const auto h = static_cast<uint16_t>(bits);
        if ((h & 0x7c00) == 0x7c00)
            continue;  // inf/nan
        REQUIRE(floatToHalf(halfToFloat(h)) == h);
    }
}

TEST_CASE("external data next to the model is read", "[loader][external]")
{
    TempDir dir;
    dir.write("weights/w.bin", floatBytes(8));
    std::string bytes;
    externalWeightModel("weights/w.bin").SerializeToString(&bytes);
    auto m = Model::load(dir.write("m.onnx", bytes));
    REQUIRE(m.has_value());
    const Constant* w = m->constant("w");
    REQUIRE(w);
    CHECK(w->external);
    REQUIRE(w->floats.size() == 8);
    CHECK(w->floats[7] == 7.5f);
}

TEST_CASE("broken files are refused with a message", "[loader][hostile]")
{
    TempDir dir;
    SECTION("missing file")
    {
        CHECK_THAT(loadError(dir.path / "nope.onnx"), Contains("does not exist"));
    }
    SECTION("a folder")
    {
        CHECK_THAT(loadError(dir.path), Contains("is a folder"));
    }
    SECTION("empty file")
    {
        CHECK_THAT(loadError(dir.write("empty.onnx", "")), Contains("the file is empty"));
    }
    SECTION("random bytes")
    {
        std::mt19937 rng(7);
        std::string bytes(4096, '\0');
        for (auto& c : bytes)
            c = static_cast<char>(rng());
        const std::string msg = loadError(dir.write("random.onnx", bytes));
        const bool understood = msg.find("not a valid ONNX model") != std::string::npos ||
                                msg.find("holds no ONNX graph") != std::string::npos ||
                                msg.find("no IR version") != std::string::npos;
        CHECK(understood);
    }
    SECTION("text file")
    {
        CHECK_THAT(loadError(dir.write("text.onnx", "hello, this is not a model\n")),
                   Contains("not a valid ONNX model") || Contains("holds no ONNX graph") ||
                       Contains("no IR version"));
    }
    SECTION("truncated file")
    {
        const std::string full = test::makeSmallCnn().SerializeAsString();
        const std::string msg = loadError(dir.write("cut.onnx", full.substr(0, full.size() * 2 / 3)));
        CHECK_THAT(msg, Contains("truncated or corrupt"));
        CHECK_THAT(msg, Contains("cut.onnx"));
    }
    SECTION("file larger than the limit")
    {
        LoadLimits limits;
        limits.maxFileBytes = 10;
        auto m = Model::load(dir.write("big.onnx", std::string(100, 'x')), limits);
        REQUIRE_FALSE(m);
        CHECK_THAT(m.error().message, Contains("more than the limit"));
    }
}

TEST_CASE("hostile graphs are refused with a message", "[loader][hostile]")
{
    SECTION("a cycle")
    {
        ModelBuilder b;
        b.input("x", {1, 4});
        b.node("Add", {"x", "c"}, {"a"}, "first");
        b.node("Relu", {"a"}, {"c"}, "second");
        b.output("c");
        CHECK_THAT(protoError(b.build()), Contains("has a cycle") && Contains("acyclic"));
    }
    SECTION("an input no one produces")
    {
        ModelBuilder b;
        b.input("x", {1, 4});
        b.node("Add", {"x", "ghost"}, {"y"}, "adder");
        b.output("y");
        CHECK_THAT(protoError(b.build()),
                   Contains("'adder' (Add) reads tensor 'ghost' that no node, graph input or initializer produces"));
    }
    SECTION("an output no one produces")
    {
        ModelBuilder b;
        b.input("x", {1, 4});
        b.node("Relu", {"x"}, {"y"}, "relu");
        b.output("z");
        CHECK_THAT(protoError(b.build()), Contains("graph output 'z' is produced by no node"));
    }
    SECTION("a tensor written twice")
    {
        ModelBuilder b;
        b.input("x", {1, 4});
        b.node("Relu", {"x"}, {"y"}, "one");
        b.node("Sigmoid", {"x"}, {"y"}, "two");
        b.output("y");
        CHECK_THAT(protoError(b.build()), Contains("'y' is written by both"));
    }
    SECTION("dims whose product overflows")
    {
        ModelBuilder b;
        b.input("x", {1, 4});
        auto* t = b.proto().mutable_graph()->add_initializer();
        t->set_name("huge");
        t->set_data_type(onnx::TensorProto_DataType_FLOAT);
        for (int i = 0; i < 4; ++i)
            t->add_dims(int64_t{1} << 20);
        b.node("Add", {"x", "huge"}, {"y"}, "add");
        b.output("y");
        CHECK_THAT(protoError(b.build()), Contains("initializer 'huge' has dimensions whose product overflows"));
    }
    SECTION("a negative dim")
    {
        ModelBuilder b;
        b.input("x", {1, 4});
        auto* t = b.proto().mutable_graph()->add_initializer();
        t->set_name("neg");
        t->set_data_type(onnx::TensorProto_DataType_FLOAT);
        t->add_dims(-3);
        b.node("Add", {"x", "neg"}, {"y"}, "add");
        b.output("y");
        CHECK_THAT(protoError(b.build()), Contains("initializer 'neg' has a negative dimension (-3)"));
    }
    SECTION("an absurd dim")
    {
        ModelBuilder b;
        b.input("x", {1, 4});
        auto* t = b.proto().mutable_graph()->add_initializer();
        t->set_name("absurd");
        t->set_data_type(onnx::TensorProto_DataType_FLOAT);
        t->add_dims(int64_t{1} << 40);
        b.node("Add", {"x", "absurd"}, {"y"}, "add");
        b.output("y");
        CHECK_THAT(protoError(b.build()), Contains("more than the limit") && Contains("corrupt or hostile"));
    }
    SECTION("a negative input dim")
    {
        ModelBuilder b;
        b.input("x", {1, 7});
        b.proto().mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(1)->set_dim_value(-7);
        b.node("Relu", {"x"}, {"y"}, "relu");
        b.output("y");
        CHECK_THAT(protoError(b.build()), Contains("input 'x' has a negative dimension (-7)"));
    }
    SECTION("raw data shorter than the shape")
    {
        ModelBuilder b;
        b.input("x", {1, 4});
        b.weight("w", {4}, {1, 2, 3, 4});
        b.proto().mutable_graph()->mutable_initializer(0)->mutable_raw_data()->resize(10);
        b.node("Add", {"x", "w"}, {"y"}, "add");
        b.output("y");
        CHECK_THAT(protoError(b.build()),
                   Contains("initializer 'w' has shape 4 (16 bytes as float32) but holds 10 bytes of data"));
    }
    SECTION("typed data that does not match the shape")
    {
        ModelBuilder b;
        b.input("x", {1, 4});
        b.int64s("shape", {3}, {1, 4});
        b.node("Reshape", {"x", "shape"}, {"y"}, "reshape");
        b.output("y");
        CHECK_THAT(protoError(b.build()), Contains("initializer 'shape' has shape 3 (3 elements) but holds 2 values"));
    }
    SECTION("no graph at all")
    {
        onnx::ModelProto empty;
        empty.set_ir_version(8);
        CHECK_THAT(protoError(empty), Contains("holds no ONNX graph"));
    }
}

TEST_CASE("external data may not leave the model's folder", "[loader][external][hostile]")
{
    TempDir dir;
    const fs::path modelDir = dir.path / "model";
    fs::create_directories(modelDir);
    dir.write("secret.bin", floatBytes(8));  // outside the model's folder
    auto loadWith = [&](const std::string& location, int64_t length = 32) {
        std::string bytes;
        externalWeightModel(location, length).SerializeToString(&bytes);
        return loadError(dir.write("model/m.onnx", bytes));
    };
    SECTION("absolute path")
    {
        CHECK_THAT(loadWith((dir.path / "secret.bin").string()),
                   Contains("absolute path") && Contains("only files inside the model's folder"));
    }
    SECTION("dot-dot")
    {
        CHECK_THAT(loadWith("../secret.bin"), Contains("leaves the model's folder"));
    }
    SECTION("a symbolic link that points out")
    {
        fs::create_symlink(dir.path / "secret.bin", modelDir / "link.bin");
        CHECK_THAT(loadWith("link.bin"), Contains("leaves the model's folder"));
    }
    SECTION("a missing file")
    {
        CHECK_THAT(loadWith("absent.bin"), Contains("does not exist next to the model"));
    }
    SECTION("a length that does not match the shape")
    {
        dir.write("model/w.bin", floatBytes(8));
        CHECK_THAT(loadWith("w.bin", 28), Contains("(32 bytes) but its external data holds 28 bytes"));
    }
    SECTION("a range past the end of the file")
    {
        dir.write("model/short.bin", floatBytes(2));
        CHECK_THAT(loadWith("short.bin"), Contains("which has only 8 bytes"));
    }
    SECTION("bytes in memory cannot refer to files")
    {
        std::string bytes;
        externalWeightModel("w.bin").SerializeToString(&bytes);
        auto m = Model::fromBytes(bytes, {});
        REQUIRE_FALSE(m);
        CHECK_THAT(m.error().message, Contains("needs the model to be opened from a file on disk"));
    }
}

TEST_CASE("node contracts that crash ONNX's shape inference are checked first", "[loader][hostile]")
{
    SECTION("a conv whose weight has rank 1 (found by the fuzzer)")
    {
        ModelBuilder b;
        b.input("x", {1, 3, 8, 8});
        b.weight("w", {4, 3, 3, 3});
        b.weight("b", {4});
        b.node("Conv", {"w", "b"}, {"y"}, "conv");
        b.output("y", {1, 4, 8, 8});
        CHECK_THAT(protoError(b.build()),
                   Contains("'conv' (Conv) has a weight of rank 1; a convolution weight needs rank 3 or more"));
    }
    SECTION("a zero stride")
    {
        ModelBuilder b;
        b.input("x", {1, 3, 8, 8});
        b.conv("conv", "x", "y", 3, 4, 3, 1, false, 0);
        b.output("y", {1, 4, 8, 8});
        CHECK_THAT(protoError(b.build()), Contains("invalid value 0 in 'strides'"));
    }
    SECTION("kernel_shape of the wrong length")
    {
        ModelBuilder b;
        b.input("x", {1, 3, 8, 8});
        auto& pool = b.node("MaxPool", {"x"}, {"y"}, "pool");
        test::setAttr(pool, "kernel_shape", std::vector<int64_t>{2, 2, 2});
        b.output("y", {1, 3, 4, 4});
        CHECK_THAT(protoError(b.build()), Contains("3 values in 'kernel_shape' for 2 spatial dimensions"));
    }
}

TEST_CASE("a conv reading a rank-2 intermediate tensor is refused (fuzzer finding)", "[loader][hostile]")
{
    ModelBuilder b;
    b.input("x", {1, 3, 8, 8});
    b.weight("fc", {10, 4});
    b.node("Relu", {"fc"}, {"r"}, "relu");  // rank 2, known only after inference
    b.weight("w", {4, 3, 3});
    b.node("Conv", {"r", "w"}, {"y"}, "conv");
    b.output("y", {1, 4, 8});
    CHECK_THAT(protoError(b.build()), Contains("'conv' (Conv) reads 'r' of rank 2"));
}
