// Frame time of the layer graph while panning densenet121 (437 nodes, ~970 arrows),
// offscreen: each iteration scrolls the view by 40 pixels and renders the whole viewport
// into an image (the worst case: a real window only repaints the exposed strip). The
// peer in the same run is the same view with item caching off. Scales: 1 (readable
// text), 0.25 (boxes without text) and fitted to the window.
#include "core/analysis/GraphLayout.h"
#include "core/model/Layer.h"
#include "core/model/Model.h"
#include "widgets/GraphView.h"

#include <benchmark/benchmark.h>

#include <QApplication>
#include <QImage>
#include <QPainter>
#include <QScrollBar>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace {

std::filesystem::path modelPath(const char* name)
{
    if (const char* dir = std::getenv("TOPIARY_REFERENCE_DIR"))
        return std::filesystem::path(dir) / name;
    const std::filesystem::path shared = "/work/main/build/fixtures/torchvision";
    if (std::filesystem::exists(shared / name))
        return shared / name;
    return std::filesystem::path("build/fixtures/torchvision") / name;
}

const topiary::GraphLayout* densenetLayout(topiary::GraphView& view)
{
    static std::unique_ptr<topiary::GraphLayout> layout;
    if (!layout) {
        auto model = topiary::Model::load(modelPath("densenet121_bn.onnx"));
        if (!model)
            return nullptr;
        auto result = topiary::layoutGraph(*model, topiary::findLayers(*model), view.layoutOptions(false));
        if (!result)
            return nullptr;
        layout = std::make_unique<topiary::GraphLayout>(std::move(*result));
    }
    return layout.get();
}

// state.range(0): scale in percent, 0 = fitted; state.range(1): item caching on.
void panDensenet(benchmark::State& state)
{
    topiary::GraphView view;
    view.resize(1280, 800);
    view.show();
    const topiary::GraphLayout* layout = densenetLayout(view);
    if (!layout) {
        state.SkipWithError("densenet121_bn.onnx not found or not laid out (set TOPIARY_REFERENCE_DIR)");
        return;
    }
    view.setItemCaching(state.range(1) != 0);
    view.setGraph(*layout);
    // Colour as the app would, so boxes are not all one colour.
    std::vector<double> values(121);
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<double>(i % 17);
    view.setNodeValues(values, QStringLiteral("L1"), 0, 16);
    view.resetTransform();
    if (state.range(0) == 0)
        view.fitToView();
    else
        view.scale(state.range(0) / 100.0, state.range(0) / 100.0);
    view.centerOn(layout->width / 2, 0);

    QImage frame(view.viewport()->size(), QImage::Format_ARGB32_Premultiplied);
    QScrollBar* vertical = view.verticalScrollBar();
    QScrollBar* horizontal = view.horizontalScrollBar();
    int step = 0;
    for (auto _ : state) {
        // Down the graph, drifting sideways, wrapping at the end: new items keep coming in.
        int next = vertical->value() + 40;
        if (next >= vertical->maximum())
            next = vertical->minimum();
        vertical->setValue(next);
        horizontal->setValue(horizontal->minimum() + (step++ * 7) % (horizontal->maximum() - horizontal->minimum() + 1));
        QPainter painter(&frame);
        view.viewport()->render(&painter);
        painter.end();
        benchmark::DoNotOptimize(frame.constBits());
    }
    state.counters["fps"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

} // namespace

BENCHMARK(panDensenet)
    ->ArgNames({"scale%", "cache"})
    ->Args({100, 1})
    ->Args({100, 0})
    ->Args({25, 1})
    ->Args({25, 0})
    ->Args({0, 1})
    ->Args({0, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()  // fps as seen on screen, not per CPU second
    ->MinTime(2.0);

int main(int argc, char** argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
