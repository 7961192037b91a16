#include "core/model/ModelWriter.h"

#include "core/base/AtomicFile.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <climits>
#include <string>
#include <system_error>

namespace topiary {

namespace fs = std::filesystem;

namespace {

// protobuf refuses to serialize or parse messages of 2 GiB and more.
constexpr int64_t kProtobufLimit = INT_MAX;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// The checker's messages run on with a dump of the node; the first paragraph says it.
std::string firstParagraph(std::string msg)
{
    if (auto pos = msg.find("\n\n"); pos != std::string::npos)
        msg.resize(pos);
    return msg;
}

// What onnx.checker.check_model(model, full_check=True) does: the structural checks,
// then strict shape inference with type checking, on a copy.
Result<void> checkModel(const onnx::ModelProto& proto)
{
    try {
        onnx::checker::check_model(proto);
    } catch (const onnx::checker::ValidationError& e) {
        return fail("the model fails the ONNX checker: " + firstParagraph(e.what()));
    } catch (const std::exception& e) {
        return fail("the model fails the ONNX checker: " + firstParagraph(e.what()));
    }
    try {
        onnx::ModelProto copy = proto;
        const onnx::ShapeInferenceOptions options(/*check_type*/ true, /*strict_mode*/ 1, /*data_prop*/ false);
        onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), options);
    } catch (const std::exception& e) {
        return fail("the model fails ONNX shape inference: " + firstParagraph(e.what()));
    }
    return {};
}

bool sameFile(const fs::path& a, const fs::path& b)
{
    std::error_code ec;
    if (fs::exists(a, ec) && fs::exists(b, ec)) {
        const bool eq = fs::equivalent(a, b, ec);
        if (!ec)
            return eq;
    }
    const auto ca = fs::weakly_canonical(fs::absolute(a, ec), ec);
    if (ec)
        return false;
    const auto cb = fs::weakly_canonical(fs::absolute(b, ec), ec);
    if (ec)
        return false;
    return ca == cb;
}

} // namespace

int64_t serializedSize(const onnx::ModelProto& proto) { return static_cast<int64_t>(proto.ByteSizeLong()); }

Result<int64_t> writeModel(const onnx::ModelProto& proto, const fs::path& target, const WriteOptions& options)
{
    if (target.empty())
        return fail("no file name to write the model to");
    if (!options.source.empty() && sameFile(target, options.source))
        return fail("refusing to overwrite the source model " + quoted(options.source) +
                    "; choose another file name for the export");

    // Before the checker, which takes seconds on large models.
    if (auto ok = checkWriteTarget(target); !ok)
        return std::unexpected(ok.error());

    const int64_t size = serializedSize(proto);
    if (size > kProtobufLimit)
        return fail("the model is " + std::to_string(size) +
                    " bytes; an ONNX file is a protobuf message, which cannot exceed 2 GB (2147483647 bytes)");

    if (options.check)
        if (auto ok = checkModel(proto); !ok)
            return std::unexpected(ok.error().withContext("not writing " + quoted(target)));

    std::string bytes;
    if (!proto.SerializeToString(&bytes))
        return fail("cannot serialize the model for " + quoted(target));

    if (auto written = writeFileAtomically(target, bytes); !written)
        return std::unexpected(written.error());
    return static_cast<int64_t>(bytes.size());
}

} // namespace topiary
