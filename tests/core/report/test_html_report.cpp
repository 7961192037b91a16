// The session report: the CSV layer table reads back to the stats it was made from (and
// to channel, parameter and MAC counts worked out by hand), the HTML page escapes what the
// model names, embeds its images, and unwritable places fail with a message.
#include "ModelBuilder.h"
#include "OrtRunner.h"

#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/base/Format.h"
#include "core/report/HtmlReport.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/analysis/Stats.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <unistd.h>

using namespace topiary;
namespace fs = std::filesystem;
using Catch::Contains;

namespace {

const std::string kScriptName = "<script>alert(1)</script>";
const std::string kFormulaName = "=HYPERLINK(\"http://x\",\"y\"),z";

struct TempDir {
    fs::path path = test::makeTempDir("topiary-report");
    ~TempDir()
    {
        std::error_code ec;
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(path, ec);
    }
};

std::string readText(const fs::path& file)
{
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// RFC 4180: fields separated by commas, quoted fields may hold commas, newlines and "" for ".
std::vector<std::vector<std::string>> parseCsv(const std::string& text)
{
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
        } else if (c == '\n') {
            row.push_back(std::move(field));
            field.clear();
            rows.push_back(std::move(row));
            row.clear();
        } else {
            field += c;
        }
    }
    REQUIRE_FALSE(quoted);
    REQUIRE(field.empty());
    return rows;
}

// makeSmallCnn with hostile names on the stem and the pointwise conv.
struct Session {
    Model model;
    std::vector<Layer> layers;
    std::vector<DependencyGroup> groups;
    CostModel cost;
    SessionReport report;

    static Model build()
    {
        auto proto = test::makeSmallCnn();
        for (auto& node : *proto.mutable_graph()->mutable_node()) {
            if (node.name() == "stem")
                node.set_name(kScriptName);
            if (node.name() == "pw")
                node.set_name(kFormulaName);
        }
        auto model = Model::fromProto(proto, {});
        REQUIRE(model.has_value());
        return std::move(*model);
    }

    Session()
        : model(build())
        , layers(findLayers(model))
        , groups(findDependencyGroups(model, layers))
        , cost(model)
    {
        const auto pw = std::find_if(layers.begin(), layers.end(), [](const Layer& l) { return l.name == kFormulaName; });
        REQUIRE(pw != layers.end());
        Plan plan = withLayerPrune(Plan {}, layers, groups, static_cast<int>(pw - layers.begin()),
            { PruneGranularity::Filter, Criterion::L1, PruneMode::Ratio, 0.5 });
        plan.setPrune("block1.conv1", { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 });
        plan.setQuant("fc", { QuantScheme::Uniform, 8, true, true });
        plan.setLowRank("block1.conv2", { 4 });
        const StatsModel stats(model, cost, groups);
        report.modelName = "small <cnn> & co.onnx";
        report.plan = plan;
        report.layers = layers;
        report.original = stats.compute(Plan {});
        report.current = stats.compute(plan);
    }
};

int64_t number(const std::string& cell)
{
    size_t used = 0;
    const int64_t v = std::stoll(cell, &used);
    REQUIRE(used == cell.size());
    return v;
}

std::map<std::string, std::string> rowByColumn(const std::vector<std::string>& header, const std::vector<std::string>& row)
{
    REQUIRE(row.size() == header.size());
    std::map<std::string, std::string> out;
    for (size_t i = 0; i < header.size(); ++i)
        out[header[i]] = row[i];
    return out;
}

} // namespace

TEST_CASE("the CSV layer table reads back to the stats", "[report]")
{
    Session s;
    auto csv = layerTableCsv(s.report);
    REQUIRE(csv);
    const auto rows = parseCsv(*csv);
    REQUIRE(rows.size() == s.layers.size() + 1);
    const auto& header = rows[0];
    CHECK(header
        == std::vector<std::string> { "layer", "kind", "in_channels_before", "in_channels_after",
            "out_channels_before", "out_channels_after", "sparsity", "bits", "rank", "params_before", "params_after",
            "macs_before", "macs_after", "effective_macs_after", "encoded_bytes_before", "encoded_bytes_after",
            "encoding" });

    std::map<std::string, std::map<std::string, std::string>> byName;
    for (size_t i = 0; i < s.report.current.layers.size(); ++i) {
        const auto row = rowByColumn(header, rows[i + 1]);
        const LayerStats& x = s.report.original.layers[i];
        const LayerStats& y = s.report.current.layers[i];
        const Layer& layer = s.layers[static_cast<size_t>(y.layer)];
        // A name a spreadsheet would run as a formula gets a leading quote, nothing else changes.
        CHECK(row.at("layer") == (layer.name == kFormulaName ? "'" + kFormulaName : layer.name));
        CHECK(row.at("kind") == layerKindName(layer.kind));
        CHECK(number(row.at("in_channels_before")) == x.inChannels);
        CHECK(number(row.at("in_channels_after")) == y.inChannels);
        CHECK(number(row.at("out_channels_before")) == x.outChannels);
        CHECK(number(row.at("out_channels_after")) == y.outChannels);
        CHECK(std::stod(row.at("sparsity")) == y.sparsity);
        CHECK(number(row.at("bits")) == y.bitsPerWeight);
        CHECK(number(row.at("rank")) == y.rank);
        CHECK(number(row.at("params_before")) == x.params);
        CHECK(number(row.at("params_after")) == y.params);
        CHECK(number(row.at("macs_before")) == x.linearMacs);
        CHECK(number(row.at("macs_after")) == y.linearMacs);
        CHECK(number(row.at("effective_macs_after")) == y.effectiveMacs);
        CHECK(number(row.at("encoded_bytes_before")) == x.encodedBytes);
        CHECK(number(row.at("encoded_bytes_after")) == y.encodedBytes);
        CHECK(row.at("encoding") == weightEncodingName(y.encoding));
        byName[layer.name] = row;
    }

    // By hand, from makeSmallCnn's shapes (28x28 input; the depthwise conv has stride 2).
    const auto& stem = byName.at(kScriptName); // 1 -> 8, 3x3, no bias
    CHECK(stem.at("params_before") == "72");
    CHECK(stem.at("macs_before") == std::to_string(8 * 28 * 28 * 1 * 9));
    const auto& pw = byName.at(kFormulaName); // 8 -> 16, 1x1 at 14x14, half its filters pruned
    CHECK(pw.at("out_channels_before") == "16");
    CHECK(pw.at("out_channels_after") == "8");
    CHECK(pw.at("params_before") == "128");
    CHECK(pw.at("params_after") == "64");
    CHECK(pw.at("macs_before") == std::to_string(16 * 14 * 14 * 8));
    CHECK(pw.at("macs_after") == std::to_string(8 * 14 * 14 * 8));
    const auto& fc = byName.at("fc"); // Gemm 16 -> 10 with bias; loses the 8 pruned inputs; 8-bit
    CHECK(fc.at("in_channels_after") == "8");
    CHECK(fc.at("params_before") == "170");
    CHECK(fc.at("params_after") == "90");
    CHECK(fc.at("bits") == "8");
    const auto& conv1 = byName.at("block1.conv1"); // 8 -> 8, 3x3: half its 576 weights are zero
    CHECK(std::stod(conv1.at("sparsity")) == Approx(0.5).margin(1.0 / 576));
    CHECK(byName.at("block1.conv2").at("rank") == "4");
}

TEST_CASE("the HTML report escapes the model's strings and embeds its images", "[report]")
{
    Session s;
    s.report.images = { { "Sensitivity & <size>", std::string("\x89PNG\r\n\x1a\nabc", 11) },
        { "Layer graph", std::string("\x89PNG\r\n\x1a\nab", 10) } };
    s.report.originalTop1 = wilsonInterval(900, 1000);
    s.report.currentTop1 = wilsonInterval(880, 1000);
    auto html = htmlReport(s.report);
    REQUIRE(html);

    CHECK_THAT(*html, Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK_THAT(*html, !Contains("<script"));
    CHECK_THAT(*html, Contains("=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;),z"));
    CHECK_THAT(*html, Contains("<h1>small &lt;cnn&gt; &amp; co.onnx</h1>"));
    CHECK_THAT(*html, Contains("default-src 'none'"));

    // base64 of the bytes, worked out with Python's base64 module.
    CHECK_THAT(*html, Contains("src=\"data:image/png;base64,iVBORw0KGgphYmM=\""));
    CHECK_THAT(*html, Contains("src=\"data:image/png;base64,iVBORw0KGgphYg==\""));
    CHECK_THAT(*html, Contains("<figcaption>Sensitivity &amp; &lt;size&gt;</figcaption>"));

    // Totals: original and compressed parameter counts, accuracy with interval and change.
    CHECK_THAT(*html, Contains(text::count(s.report.original.params)));
    CHECK_THAT(*html, Contains(text::count(s.report.current.params)));
    CHECK_THAT(*html, Contains("90.00 % (95% CI"));
    CHECK_THAT(*html, Contains("88.00 % (95% CI"));
    CHECK_THAT(*html, Contains("-2.00 points"));
    CHECK_THAT(*html, Contains("4 of 6 layers edited: 1 filter-pruned, 1 element-pruned, 1 quantized, 1 factored"));
    CHECK_THAT(*html, Contains("16 → 8")); // the pointwise conv's filters
    CHECK_THAT(*html, Contains("uniform 8-bit per-channel"));
}

TEST_CASE("report errors: not a PNG, mismatched stats, unwritable places", "[report]")
{
    Session s;
    TempDir dir;

    SessionReport notPng = s.report;
    notPng.images = { { "graph", "GIF89a..." } };
    CHECK_THAT(htmlReport(notPng).error().message, Contains("image 1 ('graph') is not a PNG"));

    SessionReport mismatched = s.report;
    mismatched.current.layers.pop_back();
    CHECK_THAT(layerTableCsv(mismatched).error().message, Contains("stats are of different models"));
    CHECK_THAT(writeHtmlReport(dir.path / "r.html", mismatched).error().message, Contains("different models"));
    CHECK_FALSE(fs::exists(dir.path / "r.html"));

    REQUIRE(writeHtmlReport(dir.path / "r.html", s.report));
    REQUIRE(writeLayerTableCsv(dir.path / "r.csv", s.report));
    CHECK(readText(dir.path / "r.html") == *htmlReport(s.report));
    CHECK(readText(dir.path / "r.csv") == *layerTableCsv(s.report));

    // Root writes anywhere a mode allows, so as root use sysfs, where nobody may create files.
    fs::path locked = dir.path / "locked";
    if (::geteuid() != 0) {
        fs::create_directory(locked);
        fs::permissions(locked, fs::perms(0555));
    } else {
        locked = "/sys";
    }
    auto html = writeHtmlReport(locked / "r.html", s.report);
    REQUIRE_FALSE(html);
    CHECK_THAT(html.error().message, Contains("cannot write the report") && Contains("permission denied"));
    auto csv = writeLayerTableCsv(locked / "r.csv", s.report);
    REQUIRE_FALSE(csv);
    CHECK_THAT(csv.error().message, Contains("cannot write the layer table") && Contains("permission denied"));
    CHECK_FALSE(fs::exists(locked / "r.html"));
    CHECK_THAT(writeHtmlReport(dir.path / "missing" / "r.html", s.report).error().message, Contains("does not exist"));
}
