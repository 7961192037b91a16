// The export passes on small models built here: the atomic writer (what it refuses and
// what it leaves behind when it fails), int8 weights as DequantizeLinear (ONNX Runtime
// computes the same outputs as with the dequantized floats written in place), and the
// low-rank split (ONNX Runtime and OpenCV compute the same outputs as the original at full
// rank, and as the weight us·vt multiplied out here at lower ranks).
#include "ModelBuilder.h"
#include "OrtRunner.h"

#include "core/compress/Importance.h"
#include "core/model/Layer.h"
#include "core/compress/LowRank.h"
#include "core/export/LowRankSplit.h"
#include "core/model/Model.h"
#include "core/model/ModelWriter.h"
#include "core/eval/OpenCvNet.h"
#include "core/compress/Quantizer.h"
#include "core/model/TensorData.h"
#include "core/export/WeightStorage.h"
#include "core/model/StoredWeights.h"
#include "core/model/GraphEdit.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace topiary;
using topiary::test::ModelBuilder;
using topiary::test::setAttr;
namespace fs = std::filesystem;

namespace {

// Removes a test's folder (restoring write permission first) when the test ends.
struct TempDir {
    fs::path path = test::makeTempDir("topiary-export");
    ~TempDir()
    {
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path, ec);
    }
};

std::string readFile(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void writeFile(const fs::path& file, const std::string& bytes)
{
    std::ofstream out(file, std::ios::binary);
    out << bytes;
}

// Written without writeModel(), so the numeric tests do not depend on it.
fs::path save(const onnx::ModelProto& proto, const fs::path& file)
{
    writeFile(file, proto.SerializeAsString());
    return file;
}

std::vector<fs::path> listFolder(const fs::path& dir)
{
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        files.push_back(e.path().filename());
    std::sort(files.begin(), files.end());
    return files;
}

std::vector<float> randomValues(size_t n, unsigned seed, float lo = -1.0f, float hi = 1.0f)
{
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v)
        x = dist(rng);
    return v;
}

size_t product(const std::vector<int64_t>& dims)
{
    size_t n = 1;
    for (int64_t d : dims)
        n *= static_cast<size_t>(d);
    return n;
}

void replaceFloats(onnx::ModelProto& proto, const std::string& name, const std::vector<float>& values)
{
    auto* t = findInitializer(*proto.mutable_graph(), name);
    REQUIRE(t);
    REQUIRE(static_cast<size_t>(elementCount(*t)) == values.size());
    *t = makeFloatTensor(name, {t->dims().begin(), t->dims().end()}, values);
}

std::vector<float> ort(const onnx::ModelProto& proto, const fs::path& dir, const std::string& file,
                       const std::vector<float>& input, const std::vector<int64_t>& dims)
{
    const auto r = test::runInOrt(save(proto, dir / file), input, dims);
    INFO(file << ": " << r.error);
    REQUIRE(r.ok);
    return r.output;
}

// max |a - b| relative to the largest |b|: elementwise relative error is meaningless
// next to zero outputs.
double relativeDiff(const std::vector<float>& a, const std::vector<float>& b)
{
    REQUIRE(a.size() == b.size());
    REQUIRE(!a.empty());
    double diff = 0.0;
    double scale = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
        diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - b[i]));
        scale = std::max(scale, std::fabs(static_cast<double>(b[i])));
    }
    REQUIRE(scale > 0.0);
    return diff / scale;
}

Model index(const onnx::ModelProto& proto)
{
    auto m = Model::fromProto(proto, {});
    INFO((m ? std::string() : m.error().message));
    REQUIRE(m);
    for (const auto& w : m->warnings())
        CHECK_THAT(w, !Catch::Contains("checker"));
    return std::move(*m);
}

Layer layerNamed(const Model& model, const std::string& name)
{
    for (auto& l : findLayers(model))
        if (l.name == name)
            return l;
    FAIL("no layer " << name);
    return {};
}

int countOps(const onnx::ModelProto& proto, const std::string& op)
{
    return static_cast<int>(std::count_if(proto.graph().node().begin(), proto.graph().node().end(),
                                          [&](const auto& n) { return n.op_type() == op; }));
}

const onnx::NodeProto* producer(const onnx::ModelProto& proto, const std::string& tensor)
{
    for (const auto& n : proto.graph().node())
        for (const auto& o : n.output())
            if (o == tensor)
                return &n;
    return nullptr;
}

std::vector<int64_t> dimsOf(const onnx::ModelProto& proto, const std::string& initializer)
{
    const auto* t = findInitializer(proto.graph(), initializer);
    REQUIRE(t);
    return {t->dims().begin(), t->dims().end()};
}

// (us · vt) in double, laid out as rows x cols: the filter matrix the factors stand for.
std::vector<float> multiplyOut(const LowRankFactors& f)
{
    std::vector<float> w(static_cast<size_t>(f.rows * f.cols));
    for (int64_t i = 0; i < f.rows; ++i)
        for (int64_t j = 0; j < f.cols; ++j) {
            double s = 0.0;
            for (int64_t t = 0; t < f.rank; ++t)
                s += static_cast<double>(f.us[static_cast<size_t>(i * f.rank + t)]) *
                     f.vt[static_cast<size_t>(t * f.cols + j)];
            w[static_cast<size_t>(i * f.cols + j)] = static_cast<float>(s);
        }
    return w;
}

std::vector<float> transpose(const std::vector<float>& m, int64_t rows, int64_t cols)
{
    std::vector<float> t(m.size());
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
            t[static_cast<size_t>(j * rows + i)] = m[static_cast<size_t>(i * cols + j)];
    return t;
}

// x[1, 16, 8, 8] -> Conv 3x3 (16 -> 32, bias) -> Relu -> y
onnx::ModelProto convModel(int64_t opset = 13)
{
    ModelBuilder b(opset);
    b.input("x", {1, 16, 8, 8});
    b.weight("conv.weight", {32, 16, 3, 3}, randomValues(32 * 16 * 9, 11, -0.3f, 0.3f));
    b.weight("conv.bias", {32}, randomValues(32, 12));
    auto& conv = b.node("Conv", {"x", "conv.weight", "conv.bias"}, {"c"}, "conv");
    setAttr(conv, "kernel_shape", std::vector<int64_t>{3, 3});
    setAttr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    b.node("Relu", {"c"}, {"y"}, "relu");
    b.output("y", {1, 32, 8, 8});
    return b.build();
}

const std::vector<int64_t> kConvInput{1, 16, 8, 8};

} // namespace

// ---------------------------------------------------------------------------------------
// ModelWriter

TEST_CASE("writeModel writes a model that loads back, and reports its size", "[export]")
{
    TempDir dir;
    const auto proto = convModel();
    const auto target = dir.path / "out.onnx";
    auto written = writeModel(proto, target);
    INFO((written ? std::string() : written.error().message));
    REQUIRE(written);
    CHECK(*written == static_cast<int64_t>(fs::file_size(target)));
    CHECK(*written == serializedSize(proto));
    CHECK(readFile(target) == proto.SerializeAsString());
    CHECK(listFolder(dir.path) == std::vector<fs::path>{"out.onnx"});

    auto loaded = Model::load(target);
    INFO((loaded ? std::string() : loaded.error().message));
    REQUIRE(loaded);
    CHECK(loaded->findNode("conv") >= 0);

    // mkstemp() makes private files; an export is an ordinary file.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    const auto perms = fs::status(target).permissions();
    CHECK(static_cast<mode_t>(perms) == (0666 & ~mask));
}

TEST_CASE("writeModel refuses to overwrite the source model, however it is named", "[export]")
{
    TempDir dir;
    const auto proto = convModel();
    const auto source = dir.path / "model.onnx";
    const std::string original = "the source bytes";
    writeFile(source, original);
    fs::create_directory(dir.path / "sub");
    fs::create_hard_link(source, dir.path / "hardlink.onnx");
    fs::create_symlink(source, dir.path / "symlink.onnx");

    const WriteOptions options{source, true};
    for (const fs::path& target : {source, dir.path / "sub" / ".." / "model.onnx", dir.path / "hardlink.onnx",
                                   dir.path / "symlink.onnx", fs::relative(source)}) {
        INFO(target);
        auto r = writeModel(proto, target, options);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("refusing to overwrite the source model"));
    }
    CHECK(readFile(source) == original);

    // Another file in the same folder is fine.
    CHECK(writeModel(proto, dir.path / "model.small.onnx", options));
}

TEST_CASE("writeModel explains a missing folder, a folder target and a read-only folder", "[export]")
{
    TempDir dir;
    const auto proto = convModel();

    auto missing = writeModel(proto, dir.path / "nowhere" / "out.onnx");
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::Contains("does not exist") && Catch::Contains("nowhere"));

    auto folder = writeModel(proto, dir.path);
    REQUIRE_FALSE(folder);
    CHECK_THAT(folder.error().message, Catch::Contains("it is a folder"));

    const auto locked = dir.path / "locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms(0555));
    auto r = writeModel(proto, locked / "out.onnx");
    if (::geteuid() != 0) {  // root writes anywhere
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("permission denied") && Catch::Contains("locked"));
        CHECK(listFolder(locked).empty());
    } else {
        WARN("running as root: the read-only folder is writable, permission error not checked");
    }
    fs::permissions(locked, fs::perms::owner_all, fs::perm_options::add);
}

TEST_CASE("writeModel replaces an existing file only when the new model is valid", "[export]")
{
    TempDir dir;
    const auto target = dir.path / "out.onnx";
    const auto first = convModel();
    REQUIRE(writeModel(first, target));
    const std::string firstBytes = readFile(target);

    SECTION("a model the structural checker rejects")
    {
        auto broken = convModel();
        broken.mutable_graph()->mutable_node(1)->set_input(0, "undefined_tensor");
        auto r = writeModel(broken, target);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("ONNX checker") && Catch::Contains("undefined_tensor"));
        // Not checking writes it anyway: the option is honoured.
        auto unchecked = writeModel(broken, dir.path / "unchecked.onnx", WriteOptions{{}, false});
        CHECK(unchecked);
    }
    SECTION("a model only the full check (strict shape inference) rejects")
    {
        ModelBuilder b;
        b.input("x", {1, 3});
        b.weight("w", {1, 4});
        b.node("Add", {"x", "w"}, {"y"}, "add");  // [1,3] + [1,4] do not broadcast
        b.output("y", {1, 3});
        auto r = writeModel(b.build(), target);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("shape inference"));
    }
    CHECK(readFile(target) == firstBytes);
    for (const auto& f : listFolder(dir.path))
        CHECK(f.string().find(".tmp-") == std::string::npos);

    // A valid model does replace it.
    auto second = convModel();
    second.set_producer_name("second");
    auto r = writeModel(second, target);
    REQUIRE(r);
    CHECK(readFile(target) == second.SerializeAsString());
}

TEST_CASE("writeModel reports a failed write and removes its temporary file", "[export]")
{
    TempDir dir;
    const auto target = dir.path / "out.onnx";
    writeFile(target, "previous");
    const auto proto = convModel();
    REQUIRE(serializedSize(proto) > 4096);

    // A file size limit makes write() fail the way a full disk does, without a full disk.
    rlimit saved{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = saved;
    small.rlim_cur = 4096;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    auto r = writeModel(proto, target);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previousHandler);

    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("cannot write") && Catch::Contains("out.onnx"));
    CHECK(readFile(target) == "previous");
    CHECK(listFolder(dir.path) == std::vector<fs::path>{"out.onnx"});
}

// ---------------------------------------------------------------------------------------
// WeightQdq

TEST_CASE("int8 weights as DequantizeLinear compute what the dequantized floats compute", "[export]")
{
    TempDir dir;
    const auto proto = convModel();
    const auto model = index(proto);
    const Layer conv = layerNamed(model, "conv");
    const auto weightBytes = static_cast<int64_t>(product(conv.weightShape) * sizeof(float));
    const auto input = randomValues(product(kConvInput), 5);

    struct Case {
        const char* name;
        QuantSpec spec;
        int32_t codeType;
    };
    const Case cases[] = {
        {"per tensor, symmetric", {QuantScheme::Uniform, 8, true, false}, onnx::TensorProto_DataType_INT8},
        {"per channel, symmetric", {QuantScheme::Uniform, 8, true, true}, onnx::TensorProto_DataType_INT8},
        {"per tensor, asymmetric", {QuantScheme::Uniform, 8, false, false}, onnx::TensorProto_DataType_UINT8},
        {"per channel, asymmetric", {QuantScheme::Uniform, 8, false, true}, onnx::TensorProto_DataType_UINT8},
    };
    for (const auto& c : cases) {
        SECTION(c.name)
        {
            auto q = quantize(model, conv, c.spec);
            REQUIRE(q);
            onnx::ModelProto qdq = proto;
            auto r = insertWeightDequantize(qdq, "conv.weight", *q);
            INFO((r ? std::string() : r.error().message));
            REQUIRE(r);

            // The structure: codes, scale and zero point feed a DequantizeLinear that
            // comes first and defines the weight's name.
            const auto& dq = qdq.graph().node(0);
            CHECK(dq.op_type() == "DequantizeLinear");
            REQUIRE(dq.output_size() == 1);
            CHECK(dq.output(0) == "conv.weight");
            CHECK(findInitializer(qdq.graph(), "conv.weight") == nullptr);
            REQUIRE(dq.input_size() == 3);
            const auto* codes = findInitializer(qdq.graph(), dq.input(0));
            const auto* zp = findInitializer(qdq.graph(), dq.input(2));
            REQUIRE(codes);
            REQUIRE(zp);
            CHECK(codes->data_type() == c.codeType);
            CHECK(zp->data_type() == c.codeType);
            CHECK(dimsOf(qdq, dq.input(0)) == conv.weightShape);
            const auto stored = readInts(*codes);
            REQUIRE(stored);
            CHECK(std::equal(stored->begin(), stored->end(), q->codes.begin(), q->codes.end()));
            const auto paramDims = c.spec.perChannel ? std::vector<int64_t>{32} : std::vector<int64_t>{};
            CHECK(dimsOf(qdq, dq.input(1)) == paramDims);
            CHECK(dimsOf(qdq, dq.input(2)) == paramDims);
            CHECK((dq.attribute_size() == 1) == c.spec.perChannel);
            if (c.spec.perChannel) {
                CHECK(dq.attribute(0).name() == "axis");
                CHECK(dq.attribute(0).i() == 0);
            }
            index(qdq);
            const auto file = dir.path / "qdq.onnx";
            auto written = writeModel(qdq, file);  // full checker
            INFO((written ? std::string() : written.error().message));
            REQUIRE(written);

            // Numbers: ONNX Runtime dequantizes; the reference has q.values written in place.
            onnx::ModelProto simulated = proto;
            replaceFloats(simulated, "conv.weight", q->values);
            const auto expected = ort(simulated, dir.path, "simulated.onnx", input, kConvInput);
            const auto got = ort(qdq, dir.path, "qdq-run.onnx", input, kConvInput);
            CHECK(relativeDiff(got, expected) < 1e-5);
            // and quantization did change something, so the comparison means something
            const auto unquantized = ort(proto, dir.path, "float.onnx", input, kConvInput);
            CHECK(relativeDiff(got, unquantized) > 1e-5);
            // OpenCV runs it too (the canonicalizer widens the constant DequantizeLinear), and
            // opening the file again finds the layer with the dequantized values as its weight.
            CHECK(relativeDiff(test::runInOpenCv(qdq, input, kConvInput), expected) < 1e-5);
            auto reopened = Model::load(file);
            REQUIRE(reopened);
            const auto again = findLayers(*reopened);
            REQUIRE(again.size() == 1);
            const Constant* w = reopened->constant(again[0].weight);
            REQUIRE(w);
            CHECK(std::vector<float>(w->floats.begin(), w->floats.end()) == q->values);
            CHECK_THAT(reopened->warnings().back(), Catch::Contains("DequantizeLinear"));

            // Size: each float (4 bytes) became one byte, plus a few parameters.
            const int64_t saved = serializedSize(proto) - *written;
            // per channel: a float scale and a one-byte zero point; then the node and the
            // names of the three new tensors
            const int64_t params = static_cast<int64_t>(q->scales.size()) * 5 + 300;
            INFO(c.name << ": " << serializedSize(proto) << " -> " << *written << " bytes, saved " << saved
                        << " of " << weightBytes << " weight bytes");
            CHECK(saved <= weightBytes * 3 / 4);
            CHECK(saved >= weightBytes * 3 / 4 - params);
        }
    }
}

TEST_CASE("float16 weights as FLOAT16 + Cast compute what the half-rounded floats compute", "[export]")
{
    TempDir dir;
    const auto proto = convModel();
    const auto model = index(proto);
    const Layer conv = layerNamed(model, "conv");
    const int64_t elements = product(conv.weightShape);
    const auto input = randomValues(product(kConvInput), 7);

    auto q = quantize(model, conv, {QuantScheme::Float16, 16, true, false});
    REQUIRE(q);
    onnx::ModelProto simulated = proto;
    replaceFloats(simulated, "conv.weight", q->values);
    onnx::ModelProto half = simulated;
    auto r = insertWeightCast(half, "conv.weight");
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r);

    // The structure: a FLOAT16 initializer feeds a Cast that comes first and defines the
    // weight's name; the float32 tensor is gone.
    const auto& cast = half.graph().node(0);
    CHECK(cast.op_type() == "Cast");
    REQUIRE(cast.output_size() == 1);
    CHECK(cast.output(0) == "conv.weight");
    REQUIRE(cast.attribute_size() == 1);
    CHECK(cast.attribute(0).name() == "to");
    CHECK(cast.attribute(0).i() == onnx::TensorProto_DataType_FLOAT);
    CHECK(findInitializer(half.graph(), "conv.weight") == nullptr);
    const auto* stored = findInitializer(half.graph(), cast.input(0));
    REQUIRE(stored);
    CHECK(stored->data_type() == onnx::TensorProto_DataType_FLOAT16);
    CHECK(dimsOf(half, cast.input(0)) == conv.weightShape);
    const auto values = readFloats(*stored);
    REQUIRE(values);
    CHECK(*values == q->values); // half-rounded floats survive the 16-bit round trip exactly

    const auto file = dir.path / "half.onnx";
    auto written = writeModel(half, file); // full checker
    INFO((written ? std::string() : written.error().message));
    REQUIRE(written);
    // Size: two bytes saved per weight, less the Cast node and the new name.
    const int64_t saved = serializedSize(simulated) - *written;
    CHECK(saved <= elements * 2);
    CHECK(saved >= elements * 2 - 100);

    // Both runtimes compute what the half-rounded float32 weights compute.
    const auto expected = ort(simulated, dir.path, "simulated.onnx", input, kConvInput);
    CHECK(relativeDiff(ort(half, dir.path, "half-run.onnx", input, kConvInput), expected) < 1e-6);
    CHECK(relativeDiff(test::runInOpenCv(half, input, kConvInput), expected) < 1e-5);

    // Opening the file again finds the layer, reading its weight through the Cast.
    auto reopened = Model::load(file);
    REQUIRE(reopened);
    const auto layers = findLayers(*reopened);
    REQUIRE(layers.size() == findLayers(model).size());
    const Constant* w = reopened->constant(layers[0].weight);
    REQUIRE(w);
    CHECK(std::vector<float>(w->floats.begin(), w->floats.end()) == q->values);
}

TEST_CASE("widenStoredWeights turns only Casts of 16-bit weights into float32 weights", "[export]")
{
    // w: a FLOAT16 weight read only by a Cast (widened, and dropped); v: read by its Cast
    // and by an Add of the 16-bit values (widened, and kept); y_half: a Cast whose output
    // is a graph output (left alone, its type is declared).
    ModelBuilder b;
    b.input("x", { 1, 4 });
    b.weight("w_h", { 4, 4 });
    b.weight("v_h", { 1, 4 });
    onnx::ModelProto p = b.proto();
    for (auto& t : *p.mutable_graph()->mutable_initializer()) {
        auto values = readFloats(t);
        REQUIRE(values);
        t.set_data_type(onnx::TensorProto_DataType_FLOAT16);
        t.set_raw_data(encodeFloats(*values, onnx::TensorProto_DataType_FLOAT16));
    }
    ModelBuilder g;
    g.proto() = p;
    setAttr(g.node("Cast", { "w_h" }, { "w" }, "cast_w"), "to", int64_t { onnx::TensorProto_DataType_FLOAT });
    setAttr(g.node("Cast", { "v_h" }, { "v" }, "cast_v"), "to", int64_t { onnx::TensorProto_DataType_FLOAT });
    g.node("Add", { "v_h", "v_h" }, { "v2" }, "add_half");
    setAttr(g.node("Cast", { "v2" }, { "v2f" }, "cast_out"), "to", int64_t { onnx::TensorProto_DataType_FLOAT });
    g.node("MatMul", { "x", "w" }, { "xw" }, "matmul");
    g.node("Add", { "xw", "v" }, { "y" }, "bias");
    g.output("y", { 1, 4 });
    g.output("v2f", { 1, 4 });
    onnx::ModelProto model = g.build();

    CHECK(widenStoredWeights(model).cast == 2);
    const auto& graph = model.graph();
    CHECK(findInitializer(graph, "w_h") == nullptr);
    REQUIRE(findInitializer(graph, "v_h") != nullptr); // Add still reads the 16-bit values
    for (const char* name : { "w", "v" }) {
        const auto* t = findInitializer(graph, name);
        REQUIRE(t);
        CHECK(t->data_type() == onnx::TensorProto_DataType_FLOAT);
    }
    std::vector<std::string> ops;
    for (const auto& n : graph.node())
        ops.push_back(n.name());
    CHECK(ops == std::vector<std::string> { "add_half", "cast_out", "matmul", "bias" });
    CHECK(widenStoredWeights(model).total() == 0); // nothing left to widen
    auto indexed = Model::fromProto(model, {});
    INFO((indexed ? std::string() : indexed.error().message));
    CHECK(indexed);
}

TEST_CASE("float16 storage refuses what it cannot write", "[export]")
{
    const auto proto5 = convModel(5);
    onnx::ModelProto p = proto5;
    auto old = insertWeightCast(p, "conv.weight");
    REQUIRE_FALSE(old);
    CHECK_THAT(old.error().message, Catch::Contains("opset 6") && Catch::Contains("opset 5"));
    CHECK(p.SerializeAsString() == proto5.SerializeAsString());

    onnx::ModelProto q = convModel();
    auto missing = insertWeightCast(q, "no.such.tensor");
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::Contains("no.such.tensor"));
}

TEST_CASE("DequantizeLinear export checks opsets, schemes and tensors", "[export]")
{
    const auto proto12 = convModel(12);
    const auto model12 = index(proto12);
    const Layer conv = layerNamed(model12, "conv");

    SECTION("per channel needs opset 13")
    {
        auto q = quantize(model12, conv, {QuantScheme::Uniform, 8, true, true});
        REQUIRE(q);
        onnx::ModelProto p = proto12;
        auto r = insertWeightDequantize(p, "conv.weight", *q);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("opset 13") && Catch::Contains("opset 12"));
        CHECK(p.SerializeAsString() == proto12.SerializeAsString());  // untouched
    }
    SECTION("per tensor works from opset 10, and runs")
    {
        TempDir dir;
        const auto proto10 = convModel(10);
        auto q = quantize(index(proto10), conv, {QuantScheme::Uniform, 8, true, false});
        REQUIRE(q);
        onnx::ModelProto p = proto10;
        REQUIRE(insertWeightDequantize(p, "conv.weight", *q));
        REQUIRE(writeModel(p, dir.path / "opset10.onnx"));
        onnx::ModelProto simulated = proto10;
        replaceFloats(simulated, "conv.weight", q->values);
        const auto input = randomValues(product(kConvInput), 6);
        CHECK(relativeDiff(ort(p, dir.path, "a.onnx", input, kConvInput),
                           ort(simulated, dir.path, "b.onnx", input, kConvInput)) < 1e-5);

        onnx::ModelProto p9 = convModel(9);
        auto r9 = insertWeightDequantize(p9, "conv.weight", *q);
        REQUIRE_FALSE(r9);
        CHECK_THAT(r9.error().message, Catch::Contains("opset 10"));
    }
    SECTION("only 8-bit uniform codes")
    {
        auto q4 = quantize(model12, conv, {QuantScheme::Uniform, 4, true, false});
        REQUIRE(q4);
        onnx::ModelProto p = proto12;
        auto r = insertWeightDequantize(p, "conv.weight", *q4);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("8-bit"));
        auto cb = quantize(model12, conv, {QuantScheme::Codebook, 8, true, false});
        REQUIRE(cb);
        auto rc = insertWeightDequantize(p, "conv.weight", *cb);
        REQUIRE_FALSE(rc);
        CHECK_THAT(rc.error().message, Catch::Contains("uniform"));
    }
    SECTION("a missing or non-float tensor")
    {
        auto q = quantize(model12, conv, {QuantScheme::Uniform, 8, true, false});
        REQUIRE(q);
        onnx::ModelProto p = proto12;
        auto missing = insertWeightDequantize(p, "no.such.weight", *q);
        REQUIRE_FALSE(missing);
        CHECK_THAT(missing.error().message, Catch::Contains("no.such.weight") && Catch::Contains("no constant"));
        auto* w = findInitializer(*p.mutable_graph(), "conv.weight");
        REQUIRE(w);
        w->set_data_type(onnx::TensorProto_DataType_DOUBLE);
        auto notFloat = insertWeightDequantize(p, "conv.weight", *q);
        REQUIRE_FALSE(notFloat);
        CHECK_THAT(notFloat.error().message, Catch::Contains("not float32"));
    }
}

TEST_CASE("DequantizeLinear export of an old-IR model that lists initializers as inputs", "[export]")
{
    TempDir dir;
    auto proto = convModel(10);
    proto.set_ir_version(3);
    for (const auto& t : proto.graph().initializer()) {
        auto* vi = proto.mutable_graph()->add_input();
        vi->set_name(t.name());
        auto* tt = vi->mutable_type()->mutable_tensor_type();
        tt->set_elem_type(t.data_type());
        for (int64_t d : t.dims())
            tt->mutable_shape()->add_dim()->set_dim_value(d);
    }
    REQUIRE(writeModel(proto, dir.path / "old.onnx"));  // valid before
    const auto model = index(proto);
    auto q = quantize(model, layerNamed(model, "conv"), {QuantScheme::Uniform, 8, true, false});
    REQUIRE(q);
    REQUIRE(insertWeightDequantize(proto, "conv.weight", *q));
    const auto& inputs = proto.graph().input();
    CHECK(std::none_of(inputs.begin(), inputs.end(), [](const auto& vi) { return vi.name() == "conv.weight"; }));
    auto r = writeModel(proto, dir.path / "old-qdq.onnx");  // and valid after
    INFO((r ? std::string() : r.error().message));
    CHECK(r);
}

// ---------------------------------------------------------------------------------------
// LowRankSplit

namespace {

struct SplitCase {
    onnx::ModelProto proto;
    std::string layer;
    std::string weight;
    std::vector<int64_t> inputDims;
};

// x[1, 6, 11, 11] -> Conv 3x3 stride 2 pad 1 dilation 2 (6 -> 10, bias) -> y
SplitCase convCase()
{
    ModelBuilder b;
    b.input("x", {1, 6, 11, 11});
    b.weight("w", {10, 6, 3, 3}, randomValues(10 * 6 * 9, 21, -0.5f, 0.5f));
    b.weight("bias", {10}, randomValues(10, 22));
    auto& conv = b.node("Conv", {"x", "w", "bias"}, {"y"}, "conv");
    setAttr(conv, "kernel_shape", std::vector<int64_t>{3, 3});
    setAttr(conv, "strides", std::vector<int64_t>{2, 2});
    setAttr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    setAttr(conv, "dilations", std::vector<int64_t>{2, 2});
    b.output("y", {1, 10, 5, 5});
    return {b.build(), "conv", "w", {1, 6, 11, 11}};
}

// x[1, 5, 20] -> Conv 1-D k5, stride 2, SAME_UPPER (5 -> 9, bias) -> y
SplitCase conv1dCase()
{
    ModelBuilder b;
    b.input("x", {1, 5, 20});
    b.weight("w", {9, 5, 5}, randomValues(9 * 5 * 5, 61, -0.5f, 0.5f));
    b.weight("bias", {9}, randomValues(9, 62));
    auto& conv = b.node("Conv", {"x", "w", "bias"}, {"y"}, "conv1d");
    setAttr(conv, "kernel_shape", std::vector<int64_t>{5});
    setAttr(conv, "strides", std::vector<int64_t>{2});
    auto* pad = conv.add_attribute();
    pad->set_name("auto_pad");
    pad->set_type(onnx::AttributeProto_AttributeType_STRING);
    pad->set_s("SAME_UPPER");
    b.output("y", {1, 9, 10});
    return {b.build(), "conv1d", "w", {1, 5, 20}};
}

// x[3, 12] -> Gemm(alpha 0.5, beta 2, C[7]) -> y[3, 7], the weight stored either way
SplitCase gemmCase(bool transB, int64_t opset = 13)
{
    ModelBuilder b(opset);
    b.input("x", {3, 12});
    b.weight("w", transB ? std::vector<int64_t>{7, 12} : std::vector<int64_t>{12, 7}, randomValues(84, 31));
    b.weight("c", {7}, randomValues(7, 32));
    auto& gemm = b.node("Gemm", {"x", "w", "c"}, {"y"}, "fc");
    setAttr(gemm, "alpha", 0.5f);
    setAttr(gemm, "beta", 2.0f);
    if (transB)
        setAttr(gemm, "transB", int64_t{1});
    b.output("y", {3, 7});
    return {b.build(), "fc", "w", {3, 12}};
}

// x[2, 3, 12] -> MatMul w[12, 7] -> y[2, 3, 7]
SplitCase matMulCase()
{
    ModelBuilder b;
    b.input("x", {2, 3, 12});
    b.weight("w", {12, 7}, randomValues(84, 41));
    b.node("MatMul", {"x", "w"}, {"y"}, "mm");
    b.output("y", {2, 3, 7});
    return {b.build(), "mm", "w", {2, 3, 12}};
}

// The filter matrix [outputs, inputs] written back into the weight's stored layout.
std::vector<float> storedLayout(const Layer& layer, const std::vector<float>& filterRows)
{
    if (!layer.weightTransposed)
        return filterRows;
    return transpose(filterRows, layer.outChannels, layer.inChannels);
}

} // namespace

TEST_CASE("a low-rank split computes what the factored weight computes", "[export]")
{
    TempDir dir;
    SplitCase c;
    SECTION("Conv 3x3, stride 2, dilation 2")
    {
        c = convCase();
    }
    SECTION("Conv 1-D, stride 2, SAME_UPPER")
    {
        c = conv1dCase();
    }
    SECTION("Gemm transB=1, alpha and beta")
    {
        c = gemmCase(true);
    }
    SECTION("Gemm at opset 9, where C is required")
    {
        c = gemmCase(true, 9);
    }
    SECTION("Gemm transB=0, alpha and beta")
    {
        c = gemmCase(false);
    }
    SECTION("MatMul on a 3-D input")
    {
        c = matMulCase();
    }
    const auto model = index(c.proto);
    const Layer layer = layerNamed(model, c.layer);
    const int64_t full = std::min(layer.outChannels, static_cast<int64_t>(product(layer.weightShape)) /
                                                         layer.outChannels);
    const auto input = randomValues(product(c.inputDims), 7);
    const auto original = ort(c.proto, dir.path, "original.onnx", input, c.inputDims);
    const std::string opType = model.node(layer.node).opType;

    for (const int64_t rank : {full, int64_t{2}}) {
        INFO("rank " << rank << " of " << full);
        auto factors = lowRank(model, layer, rank);
        REQUIRE(factors);
        onnx::ModelProto split = c.proto;
        auto r = splitLowRank(split, c.layer, *factors);
        INFO((r ? std::string() : r.error().message));
        REQUIRE(r);

        // Two nodes of the same kind through `rank` channels; the old weight is gone.
        CHECK(countOps(split, opType) == 2);
        CHECK(findInitializer(split.graph(), c.weight) == nullptr);
        const auto* second = producer(split, "y");
        REQUIRE(second);
        REQUIRE(second->input_size() >= 2);
        const auto* first = producer(split, second->input(0));
        REQUIRE(first);
        CHECK(first->input(0) == "x");
        CHECK(first->input(1) == "w_lr_a");
        CHECK(second->input(1) == "w_lr_b");
        if (opType == "Conv" && c.inputDims.size() == 3) {
            CHECK(dimsOf(split, "w_lr_a") == std::vector<int64_t>{rank, 5, 5});
            CHECK(dimsOf(split, "w_lr_b") == std::vector<int64_t>{9, rank, 1});
        } else if (opType == "Conv") {
            CHECK(dimsOf(split, "w_lr_a") == std::vector<int64_t>{rank, 6, 3, 3});
            CHECK(dimsOf(split, "w_lr_b") == std::vector<int64_t>{10, rank, 1, 1});
        } else if (opType == "Gemm") {
            CHECK(dimsOf(split, "w_lr_a") == std::vector<int64_t>{rank, 12});
            CHECK(dimsOf(split, "w_lr_b") == std::vector<int64_t>{7, rank});
            // alpha and beta live in the data (OpenCV 4.6 ignores both attributes)
            for (const auto* n : {first, second})
                for (const auto& a : n->attribute())
                    CHECK((a.name() != "alpha" && a.name() != "beta"));
        } else {
            CHECK(dimsOf(split, "w_lr_a") == std::vector<int64_t>{12, rank});
            CHECK(dimsOf(split, "w_lr_b") == std::vector<int64_t>{rank, 7});
        }
        index(split);
        auto written = writeModel(split, dir.path / "split.onnx");
        INFO((written ? std::string() : written.error().message));
        REQUIRE(written);

        const auto got = ort(split, dir.path, "split-run.onnx", input, c.inputDims);
        if (rank == full) {
            CHECK(relativeDiff(got, original) < 1e-4);
            CHECK(relativeDiff(test::runInOpenCv(split, input, c.inputDims), original) < 1e-4);
        } else {
            // The reference: the original graph with W = us·vt multiplied out here.
            onnx::ModelProto reference = c.proto;
            replaceFloats(reference, c.weight, storedLayout(layer, multiplyOut(*factors)));
            const auto expected = ort(reference, dir.path, "reference.onnx", input, c.inputDims);
            CHECK(relativeDiff(got, expected) < 1e-4);
            CHECK(relativeDiff(got, original) > 1e-3);  // rank 2 does change the layer
            CHECK(relativeDiff(test::runInOpenCv(split, input, c.inputDims), expected) < 1e-4);
            // Smaller: r·(m + n) weights instead of m·n.
            CHECK(*written < serializedSize(c.proto));
        }
    }
}

TEST_CASE("a low-rank split refuses what it cannot rewrite", "[export]")
{
    SECTION("ConvTranspose")
    {
        ModelBuilder b;
        b.input("x", {1, 4, 5, 5});
        b.weight("w", {4, 6, 3, 3});
        b.node("ConvTranspose", {"x", "w"}, {"y"}, "deconv");
        b.output("y", {1, 6, 7, 7});
        const auto proto = b.build();
        const auto model = index(proto);
        auto f = lowRank(model, layerNamed(model, "deconv"), 2);
        REQUIRE(f);
        onnx::ModelProto p = proto;
        auto r = splitLowRank(p, "deconv", *f);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("low rank of ConvTranspose is not supported"));
    }
    SECTION("factors of another shape, an unknown node")
    {
        auto c = convCase();
        const auto model = index(c.proto);
        auto f = lowRank(model, layerNamed(model, "conv"), 2);
        REQUIRE(f);
        auto other = gemmCase(true);
        auto r = splitLowRank(other.proto, "fc", *f);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains("do not fit the weight"));
        auto unknown = splitLowRank(c.proto, "nope", *f);
        REQUIRE_FALSE(unknown);
        CHECK_THAT(unknown.error().message, Catch::Contains("no node named 'nope'"));
    }
}

TEST_CASE("a low-rank split finds unnamed nodes by their index name and keeps shared weights", "[export]")
{
    TempDir dir;
    ModelBuilder b;
    b.input("x", {2, 12});
    b.weight("w", {7, 12}, randomValues(84, 51));
    auto& g1 = b.node("Gemm", {"x", "w"}, {"a"});  // unnamed: the index calls it Gemm_0
    setAttr(g1, "transB", int64_t{1});
    auto& g2 = b.node("Gemm", {"x", "w"}, {"b"});  // shares the weight
    setAttr(g2, "transB", int64_t{1});
    b.node("Add", {"a", "b"}, {"y"}, "add");
    b.output("y", {2, 7});
    const auto proto = b.build();
    const auto model = index(proto);
    const Layer layer = layerNamed(model, "Gemm_0");
    auto f = lowRank(model, layer, 7);
    REQUIRE(f);
    onnx::ModelProto split = proto;
    auto r = splitLowRank(split, "Gemm_0", *f);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r);
    CHECK(countOps(split, "Gemm") == 3);
    CHECK(findInitializer(split.graph(), "w") != nullptr);  // still read by the second Gemm
    REQUIRE(writeModel(split, dir.path / "shared.onnx"));
    const auto input = randomValues(24, 8);
    CHECK(relativeDiff(ort(split, dir.path, "s.onnx", input, {2, 12}),
                       ort(proto, dir.path, "o.onnx", input, {2, 12})) < 1e-4);
}

TEST_CASE("a low-rank split removes the Identity that fed the old weight", "[export]")
{
    TempDir dir;
    ModelBuilder b;
    b.input("x", {2, 12});
    b.weight("w", {7, 12}, randomValues(84, 71));
    b.node("Identity", {"w"}, {"w_copy"}, "copy");
    auto& g = b.node("Gemm", {"x", "w_copy"}, {"y"}, "fc");
    setAttr(g, "transB", int64_t{1});
    b.output("y", {2, 7});
    const auto proto = b.build();
    const auto model = index(proto);
    auto f = lowRank(model, layerNamed(model, "fc"), 7);
    REQUIRE(f);
    onnx::ModelProto split = proto;
    REQUIRE(splitLowRank(split, "fc", *f));
    CHECK(countOps(split, "Identity") == 0);
    CHECK(findInitializer(split.graph(), "w") == nullptr);
    CHECK(split.graph().initializer_size() == 2);
    REQUIRE(writeModel(split, dir.path / "identity.onnx"));
    const auto input = randomValues(24, 9);
    CHECK(relativeDiff(ort(split, dir.path, "s.onnx", input, {2, 12}),
                       ort(proto, dir.path, "o.onnx", input, {2, 12})) < 1e-4);
}
