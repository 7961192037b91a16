// The report's plots as inline SVG (sensitivity, Pareto, histograms, accuracy), the layer
// table's page-fitting CSS, and file sizes stated for the export the user chose.
#include "ModelBuilder.h"

#include "core/analysis/Stats.h"
#include "core/base/Format.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "core/report/HtmlReport.h"
#include "core/report/ReportFigures.h"
#include "core/report/SvgChart.h"

#include <catch2/catch.hpp>

#include <regex>

using namespace topiary;
using Catch::Contains;

namespace {

size_t countOf(const std::string& text, const std::string& what)
{
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

// makeSmallCnn with its classifier at 8 bits: int8 QDQ storage changes the file size.
Model smallCnn()
{
    auto m = Model::fromProto(test::makeSmallCnn(), {});
    REQUIRE(m.has_value());
    return std::move(*m);
}

struct Quantized {
    Model model = smallCnn();
    std::vector<Layer> layers = findLayers(model);
    std::vector<DependencyGroup> groups = findDependencyGroups(model, layers);
    CostModel cost { model };
    SessionReport report;

    Quantized()
    {
        Plan plan;
        plan.setQuant("fc", { QuantScheme::Uniform, 8, true, true });
        plan.setPrune("block1.conv1", { PruneGranularity::Element, Criterion::L1, PruneMode::Ratio, 0.5 });
        const StatsModel stats(model, cost, groups);
        report.modelName = "small.onnx";
        report.plan = plan;
        report.layers = layers;
        report.original = stats.compute(Plan {});
        report.current = stats.compute(plan);
    }
};

SensitivityResult twoLayerSweep()
{
    SensitivityResult r;
    r.baseline.labelled = 100;
    r.baseline.top1Correct = 90;
    for (const char* layer : { "conv1", "conv2" })
        for (double ratio : { 0.0, 0.5 }) {
            SensitivityPoint p;
            p.layer = layer;
            p.value = ratio;
            p.evaluated = true;
            p.metrics.labelled = 100;
            p.metrics.top1Correct = ratio == 0.0 ? 90 : 50;
            r.points.push_back(p);
        }
    return r;
}

} // namespace

TEST_CASE("svg chart: ticks at 1, 2, 5 steps and points where the axes put them", "[report-figures]")
{
    CHECK(niceTicks(0, 100, 6) == std::vector<double> { 0, 20, 40, 60, 80, 100 });
    CHECK(niceTicks(0, 100, 11) == std::vector<double> { 0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 });
    CHECK(niceTicks(-0.013, 0.021, 4) == std::vector<double> { -0.01, 0.0, 0.01, 0.02 });
    CHECK(niceTicks(3, 3, 5).empty());

    SvgChart chart;
    chart.xMin = 0;
    chart.xMax = 100;
    chart.yMin = 0;
    chart.yMax = 100;
    chart.series.push_back({ "a < b", { 50 }, { 50 }, {}, {}, false, true, false, -1 });
    const std::string svg = lineChartSvg(chart);
    // 640 x 340 with margins left 64, right 16, top 14, bottom 48: the plot is 560 x 278,
    // so (50, 50) is at x = 64 + 280 = 344 and y = 340 - 48 - 139 = 153.
    CHECK_THAT(svg, Contains("<circle cx=\"344.00\" cy=\"153.00\""));
    CHECK_THAT(svg, Contains("a &lt; b"));
    CHECK_THAT(svg, !Contains("a < b"));
}

TEST_CASE("report figures: sensitivity curves, Pareto, histogram and accuracy as SVG", "[report-figures]")
{
    const ReportFigure sensitivity = sensitivityFigure(twoLayerSweep());
    CHECK(countOf(sensitivity.svg, "<polyline") == 2);
    CHECK_THAT(sensitivity.svg, Contains("conv1") && Contains("conv2"));
    CHECK_THAT(sensitivity.caption, Contains("2 layers") && Contains("90.0 %"));

    ParetoSet pareto;
    pareto.add({ 1, wilsonInterval(90, 100), 2'000'000, 10, "original" });
    pareto.add({ 2, wilsonInterval(88, 100), 1'000'000, 5, "half" });
    pareto.add({ 3, wilsonInterval(70, 100), 1'500'000, 5, "worse" });
    const ReportFigure front = paretoFigure(pareto, ParetoCost::Size, 2);
    CHECK_THAT(front.caption, Contains("3 plans tried, 2 on the front"));
    CHECK(countOf(front.svg, "<circle") == 4); // three plans and the current one

    Histogram h;
    h.edges = { -1, 0, 1 };
    h.counts = { 3, 5 };
    h.total = 8;
    const ReportFigure histogram = histogramFigure("conv1", h, 0.25);
    CHECK(countOf(histogram.svg, "<rect x=") >= 3); // frame, two bars
    CHECK(countOf(histogram.svg, "class=\"marker\"") == 2);
    CHECK_THAT(histogram.caption, Contains("8 weights") && Contains("0.25"));

    const ReportFigure accuracy = accuracyFigure(wilsonInterval(900, 1000), std::nullopt);
    CHECK_THAT(accuracy.caption, Contains("original 90.0 %") && Contains("compressed not evaluated"));
}

TEST_CASE("the HTML report inlines its figures as SVG and fits the layer table to the page", "[report-figures]")
{
    Quantized q;
    q.report.figures = { sensitivityFigure(twoLayerSweep()),
        { "From the GUI", "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><rect/></svg>\n" } };
    auto html = htmlReport(q.report);
    REQUIRE(html);
    CHECK(countOf(*html, "<svg") == 2);
    CHECK_THAT(*html, !Contains("<?xml"));
    CHECK_THAT(*html, Contains("<figcaption>From the GUI</figcaption>"));
    CHECK_THAT(*html, Contains("table.layers { width: 100%; table-layout: fixed;"));
    CHECK_THAT(*html, Contains("overflow-wrap: anywhere"));
    CHECK_THAT(*html, Contains("@media print"));
    CHECK_THAT(*html, Contains("<colgroup>"));

    for (const char* bad : { "<svg><script>alert(1)</script></svg>", "<svg><foreignObject/></svg>", "<div>no</div>",
             "<svg><a href=\"javascript:x()\"/></svg>" }) {
        SessionReport r = q.report;
        r.figures = { { "bad", bad } };
        auto refused = htmlReport(r);
        INFO(bad);
        REQUIRE_FALSE(refused.has_value());
        CHECK_THAT(refused.error().message, Contains("figure 1"));
    }
}

TEST_CASE("the HTML report states the file size of the export the user chose", "[report-figures]")
{
    Quantized q;
    // The sizes differ with int8 storage, so the row can tell them apart.
    REQUIRE(q.report.current.shrunkQdqFileBytes < q.report.current.shrunkFileBytes);

    q.report.exportOptions = ApplyOptions { .shrink = true, .int8Qdq = true, .float16 = false };
    auto int8 = htmlReport(q.report);
    REQUIRE(int8);
    CHECK_THAT(*int8, Contains("ONNX file (shrunk, int8 weights for 8-bit layers, predicted)"));
    CHECK_THAT(*int8, Contains(text::exactBytes(q.report.current.shrunkQdqFileBytes)));
    CHECK_THAT(*int8, !Contains(text::exactBytes(q.report.current.shrunkFileBytes)));

    q.report.exportOptions = ApplyOptions { .shrink = false, .int8Qdq = false, .float16 = false };
    q.report.writtenFileBytes = 123'456;
    auto written = htmlReport(q.report);
    REQUIRE(written);
    CHECK_THAT(*written, Contains("ONNX file (masked, float32 weights, as written)"));
    CHECK_THAT(*written, Contains("123,456 bytes"));
}
