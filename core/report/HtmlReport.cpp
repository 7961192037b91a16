#include "core/report/HtmlReport.h"

#include "core/base/AtomicFile.h"
#include "core/report/EvaluationReport.h"
#include "core/base/Format.h"
#include "core/plan/Recipe.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace topiary {

namespace fs = std::filesystem;

namespace {

std::string escapeHtml(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\0': out += "&#xFFFD;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string base64(std::string_view bytes)
{
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const uint32_t v = static_cast<uint8_t>(bytes[i]) << 16 | static_cast<uint8_t>(bytes[i + 1]) << 8
            | static_cast<uint8_t>(bytes[i + 2]);
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (const size_t left = bytes.size() - i; left > 0) {
        uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
        if (left == 2)
            v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
        out += kAlphabet[v >> 18];
        out += kAlphabet[(v >> 12) & 63];
        out += left == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

bool isPng(std::string_view bytes)
{
    return bytes.starts_with(std::string_view("\x89PNG\r\n\x1a\n", 8));
}

// Shortest text that reads back as the same double.
std::string exactNumber(double v)
{
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, end);
}

std::string relativeChange(int64_t before, int64_t after)
{
    if (before == 0)
        return before == after ? "" : "new";
    return text::signedFixed(100.0 * static_cast<double>(after - before) / static_cast<double>(before), 1) + " %";
}

// "64" when unchanged, "64 → 45" (marked) when not.
std::string beforeAfter(const std::string& before, const std::string& after)
{
    if (before == after)
        return escapeHtml(after);
    return "<span class=\"changed\">" + escapeHtml(before) + " → " + escapeHtml(after) + "</span>";
}

std::string countCell(int64_t before, int64_t after)
{
    return beforeAfter(text::count(before), text::count(after));
}

std::string bytesText(int64_t bytes)
{
    return "<span title=\"" + text::exactBytes(bytes) + "\">" + text::bytes(bytes) + "</span>";
}

std::string accuracyText(const std::optional<Estimate>& e)
{
    if (!e || e->n == 0)
        return "not evaluated";
    return percentWithInterval(*e) + " on " + text::count(e->n) + " images";
}

Result<void> checkStats(const SessionReport& r)
{
    if (r.original.layers.size() != r.current.layers.size())
        return fail("the report's stats are of different models (" + std::to_string(r.original.layers.size())
            + " and " + std::to_string(r.current.layers.size()) + " layers)");
    for (size_t i = 0; i < r.current.layers.size(); ++i) {
        const int layer = r.current.layers[i].layer;
        if (layer < 0 || static_cast<size_t>(layer) >= r.layers.size() || r.original.layers[i].layer != layer)
            return fail("the report's stats do not match its layers (row " + std::to_string(i) + ")");
    }
    return {};
}

const char* kStyle = R"(
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.6em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; }
th { background: #eee; text-align: left; }
th, td.name, td.word { white-space: nowrap; }
td.plan { min-width: 12em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr:nth-child(even) td { background: #f7f7f7; }
.changed { color: #075; font-weight: 600; }
.note { color: #666; font-size: 0.9em; }
figure { display: inline-block; margin: 0 1.5em 1.5em 0; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { display: block; font-size: 0.9em; color: #444; margin-top: 0.3em; }
pre { background: #f4f4f4; padding: 0.8em; overflow-x: auto; }
)";

void totalsRow(std::ostringstream& out, const char* name, const std::string& before, const std::string& after,
    const std::string& change)
{
    out << "<tr><th>" << name << "</th><td class=\"num\">" << before << "</td><td class=\"num\">" << after
        << "</td><td class=\"num\">" << escapeHtml(change) << "</td></tr>\n";
}

std::string csvCell(std::string_view text)
{
    std::string cell(text);
    // A spreadsheet runs a cell that starts like a formula; layer names are untrusted.
    if (!cell.empty() && (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t'
            || cell[0] == '\r'))
        cell.insert(cell.begin(), '\'');
    if (cell.find_first_of(",\"\r\n") == std::string::npos)
        return cell;
    std::string quoted = "\"";
    for (char c : cell)
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
}

} // namespace

std::string layerSpecText(const LayerSpec& spec)
{
    std::vector<std::string> parts;
    const PruneSpec& p = spec.prune;
    if (p.granularity != PruneGranularity::None) {
        std::string part = granularityName(p.granularity);
        switch (p.mode) {
        case PruneMode::Ratio: part += " " + text::significant(100.0 * p.value, 4) + " %"; break;
        case PruneMode::Threshold: part += " below " + text::significant(p.value, 4); break;
        case PruneMode::MeanStdRule:
            part += " below mean" + std::string(p.value >= 0.0 ? "+" : "") + text::significant(p.value, 4) + "*std";
            break;
        }
        parts.push_back(part + " by " + criterionName(p.criterion));
    }
    const QuantSpec& q = spec.quant;
    switch (q.scheme) {
    case QuantScheme::Float32: break;
    case QuantScheme::Uniform:
        parts.push_back("uniform " + std::to_string(q.bits) + "-bit" + (q.symmetric ? "" : " asymmetric")
            + (q.perChannel ? " per-channel" : " per-tensor"));
        break;
    case QuantScheme::Codebook: parts.push_back("codebook " + std::to_string(q.bits) + "-bit"); break;
    default: parts.push_back(quantSchemeName(q.scheme));
    }
    if (spec.lowRank.rank > 0)
        parts.push_back("rank " + std::to_string(spec.lowRank.rank));
    std::string out;
    for (const auto& part : parts)
        out += (out.empty() ? "" : ", ") + part;
    return out;
}

std::string planSummary(const Plan& plan, const std::vector<Layer>& layers)
{
    if (plan.empty())
        return "No layer edited: the model is unchanged.";
    int filter = 0, element = 0, quantized = 0, factored = 0;
    for (const auto& [name, spec] : plan.layers()) {
        filter += spec.prune.granularity == PruneGranularity::Filter;
        element += spec.prune.granularity == PruneGranularity::Element;
        quantized += spec.quant.scheme != QuantScheme::Float32;
        factored += spec.lowRank.rank > 0;
    }
    std::vector<std::string> parts;
    if (filter)
        parts.push_back(std::to_string(filter) + " filter-pruned");
    if (element)
        parts.push_back(std::to_string(element) + " element-pruned");
    if (quantized)
        parts.push_back(std::to_string(quantized) + " quantized");
    if (factored)
        parts.push_back(std::to_string(factored) + " factored at a lower rank");
    std::string out = std::to_string(plan.layers().size()) + " of " + std::to_string(layers.size()) + " layers edited: ";
    for (size_t i = 0; i < parts.size(); ++i)
        out += (i ? ", " : "") + parts[i];
    out += ".";
    if (plan.options().roundChannels)
        out += " Filter pruning keeps multiples of " + std::to_string(plan.options().channelMultiple) + " channels.";
    return out;
}

Result<std::string> htmlReport(const SessionReport& r)
{
    if (auto ok = checkStats(r); !ok)
        return std::unexpected(ok.error());
    for (size_t i = 0; i < r.images.size(); ++i)
        if (!isPng(r.images[i].png))
            return fail("image " + std::to_string(i + 1) + " ('" + r.images[i].caption + "') is not a PNG");

    const ModelStats& a = r.original;
    const ModelStats& b = r.current;
    const std::string title = "Topiary report: " + r.modelName;
    std::ostringstream out;
    out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        // Nothing in the page may load or run anything, whatever a layer name holds.
        << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
           "style-src 'unsafe-inline'\">\n"
        << "<title>" << escapeHtml(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
    out << "<h1>" << escapeHtml(r.modelName) << "</h1>\n";
    out << "<p class=\"plan-summary\">" << escapeHtml(planSummary(r.plan, r.layers)) << "</p>\n";

    out << "<h2>Totals</h2>\n<table class=\"totals\">\n"
        << "<tr><th></th><th>Original</th><th>Compressed</th><th>Change</th></tr>\n";
    totalsRow(out, "Parameters", text::count(a.params), text::count(b.params), relativeChange(a.params, b.params));
    totalsRow(out, "MACs", text::count(a.linearMacs), text::count(b.linearMacs),
        relativeChange(a.linearMacs, b.linearMacs));
    totalsRow(out, "MACs skipping zero weights", text::count(a.effectiveMacs), text::count(b.effectiveMacs),
        relativeChange(a.effectiveMacs, b.effectiveMacs));
    totalsRow(out, "Weights at the chosen encodings", bytesText(a.encodedBytes), bytesText(b.encodedBytes),
        relativeChange(a.encodedBytes, b.encodedBytes));
    totalsRow(out, "Compression ratio", text::fixed(a.compressionRatio, 2) + "×", text::fixed(b.compressionRatio, 2) + "×",
        "");
    totalsRow(out, "ONNX file (shrunk export)", bytesText(a.originalFileBytes), bytesText(b.shrunkFileBytes),
        relativeChange(a.originalFileBytes, b.shrunkFileBytes));
    totalsRow(out, "Peak activation memory", bytesText(a.peakActivationBytes), bytesText(b.peakActivationBytes),
        relativeChange(a.peakActivationBytes, b.peakActivationBytes));
    totalsRow(out, "All activations", bytesText(a.activationBytes), bytesText(b.activationBytes),
        relativeChange(a.activationBytes, b.activationBytes));
    std::string accuracyChange;
    if (r.originalTop1 && r.currentTop1 && r.originalTop1->n > 0 && r.currentTop1->n > 0)
        accuracyChange = text::signedFixed(100.0 * (r.currentTop1->value - r.originalTop1->value), 2) + " points";
    totalsRow(out, "Top-1 accuracy", escapeHtml(accuracyText(r.originalTop1)), escapeHtml(accuracyText(r.currentTop1)),
        accuracyChange);
    out << "</table>\n";
    if (!b.exact)
        out << "<p class=\"note\">Channel counts of layers joined by Concat are estimated in proportion.</p>\n";

    if (!r.images.empty()) {
        out << "<h2>Figures</h2>\n";
        for (const ReportImage& image : r.images)
            out << "<figure><img src=\"data:image/png;base64," << base64(image.png) << "\" alt=\""
                << escapeHtml(image.caption) << "\"><figcaption>" << escapeHtml(image.caption)
                << "</figcaption></figure>\n";
    }

    out << "<h2>Layers</h2>\n<table class=\"layers\">\n<tr><th>Layer</th><th>Kind</th>"
           "<th>In channels</th><th>Out channels</th><th>Sparsity</th><th>Bits</th><th>Rank</th><th>Params</th>"
           "<th>MACs</th><th>Encoded bytes</th><th>Encoding</th><th>Plan</th></tr>\n";
    for (size_t i = 0; i < b.layers.size(); ++i) {
        const LayerStats& x = a.layers[i];
        const LayerStats& y = b.layers[i];
        const Layer& layer = r.layers[static_cast<size_t>(y.layer)];
        out << "<tr><td class=\"name\">" << escapeHtml(layer.name) << "</td><td class=\"word\">"
            << layerKindName(layer.kind) << "</td><td class=\"num\">" << countCell(x.inChannels, y.inChannels)
            << "</td><td class=\"num\">" << countCell(x.outChannels, y.outChannels) << "</td><td class=\"num\">"
            << text::percent(y.sparsity, 1) << "</td><td class=\"num\">" << y.bitsPerWeight
            << "</td><td class=\"num\">" << (y.rank > 0 ? std::to_string(y.rank) : "") << "</td><td class=\"num\">"
            << countCell(x.params, y.params) << "</td><td class=\"num\">" << countCell(x.linearMacs, y.linearMacs)
            << "</td><td class=\"num\">" << countCell(x.encodedBytes, y.encodedBytes) << "</td><td class=\"word\">"
            << weightEncodingName(y.encoding) << "</td><td class=\"plan\">"
            << escapeHtml(layerSpecText(r.plan.spec(layer.name))) << "</td></tr>\n";
    }
    out << "</table>\n";

    Recipe recipe;
    recipe.plan = r.plan;
    out << "<h2>Recipe</h2>\n<p class=\"note\">The plan as a recipe: save it as a .json file to apply it with "
           "<code>topiary-cli</code>.</p>\n<pre>"
        << escapeHtml(recipeToJson(recipe).dump(2, ' ', false, nlohmann::json::error_handler_t::replace))
        << "</pre>\n</body>\n</html>\n";
    return out.str();
}

Result<std::string> layerTableCsv(const SessionReport& r)
{
    if (auto ok = checkStats(r); !ok)
        return std::unexpected(ok.error());
    std::ostringstream out;
    out << "layer,kind,in_channels_before,in_channels_after,out_channels_before,out_channels_after,sparsity,bits,"
           "rank,params_before,params_after,macs_before,macs_after,effective_macs_after,encoded_bytes_before,"
           "encoded_bytes_after,encoding\n";
    for (size_t i = 0; i < r.current.layers.size(); ++i) {
        const LayerStats& x = r.original.layers[i];
        const LayerStats& y = r.current.layers[i];
        const Layer& layer = r.layers[static_cast<size_t>(y.layer)];
        out << csvCell(layer.name) << ',' << layerKindName(layer.kind) << ',' << x.inChannels << ',' << y.inChannels
            << ',' << x.outChannels << ',' << y.outChannels << ',' << exactNumber(y.sparsity) << ','
            << y.bitsPerWeight << ',' << y.rank << ',' << x.params << ',' << y.params << ',' << x.linearMacs << ','
            << y.linearMacs << ',' << y.effectiveMacs << ',' << x.encodedBytes << ',' << y.encodedBytes << ','
            << weightEncodingName(y.encoding) << '\n';
    }
    return out.str();
}

Result<void> writeHtmlReport(const fs::path& file, const SessionReport& report)
{
    auto html = htmlReport(report);
    if (!html)
        return std::unexpected(html.error().withContext("cannot write the report '" + file.string() + "'"));
    if (auto ok = writeFileAtomically(file, *html); !ok)
        return std::unexpected(ok.error().withContext("cannot write the report"));
    return {};
}

Result<void> writeLayerTableCsv(const fs::path& file, const SessionReport& report)
{
    auto csv = layerTableCsv(report);
    if (!csv)
        return std::unexpected(csv.error().withContext("cannot write the layer table '" + file.string() + "'"));
    if (auto ok = writeFileAtomically(file, *csv); !ok)
        return std::unexpected(ok.error().withContext("cannot write the layer table"));
    return {};
}

} // namespace topiary
