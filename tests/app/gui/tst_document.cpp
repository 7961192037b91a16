// Document: what the panes share. An edit the model cannot take is refused with the
// checker's reason and leaves the plan and the history alone; the selection, the dataset,
// the activation counts and the evaluations each say when they change; evaluations of the
// shown plan become Pareto points and history entries (labelled data only); a new model
// starts from nothing of the previous one's.
#include "Document.h"

#include "ModelBuilder.h"

#include "core/eval/ActivationStats.h"
#include "core/eval/EvaluationResult.h"
#include "core/model/CostModel.h"
#include "core/model/DependencyGroups.h"
#include "core/model/Model.h"
#include "core/plan/Recipe.h"

#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using topiary::Document;
using topiary::LoadedModel;
using topiary::Plan;

namespace {

LoadedModel smallCnn()
{
    auto model = topiary::Model::fromProto(topiary::test::makeSmallCnn(), {});
    if (!model)
        qFatal("small CNN: %s", model.error().message.c_str());
    LoadedModel loaded;
    loaded.model = std::make_shared<const topiary::Model>(std::move(*model));
    loaded.cost = std::make_shared<const topiary::CostModel>(*loaded.model);
    loaded.groups = std::make_shared<const std::vector<topiary::DependencyGroup>>(
        topiary::findDependencyGroups(*loaded.model, loaded.cost->layers()));
    loaded.stats = std::make_shared<const topiary::StatsModel>(*loaded.model, *loaded.cost, *loaded.groups);
    loaded.path = QStringLiteral("/models/small_cnn.onnx");
    loaded.displayName = QStringLiteral("small_cnn.onnx");
    return loaded;
}

topiary::EvaluationMetrics metrics(int64_t labelled, int64_t correct)
{
    topiary::EvaluationMetrics m;
    m.labelled = labelled;
    m.top1Correct = correct;
    m.compared = labelled;
    m.agreed = correct;
    return m;
}

} // namespace

class TstDocument : public QObject {
    Q_OBJECT

private slots:
    void refusesAPlanTheModelCannotTake()
    {
        Document document;
        document.setContents(smallCnn());
        QSignalSpy refused(&document, &Document::planRefused);
        QSignalSpy changed(&document, &Document::planChanged);

        Plan unknown;
        unknown.setQuant("no/such/layer", topiary::QuantSpec { topiary::QuantScheme::Uniform, 8, true, true });
        const auto expected = topiary::validatePlan(unknown, *document.model(), document.cost()->layers(), document.groups().get());
        QVERIFY(!expected.empty());
        QVERIFY(!document.editPlan(unknown, QStringLiteral("bad")));
        QCOMPARE(refused.size(), 1);
        QCOMPARE(refused.first().at(0).toString(), QString::fromStdString(expected.front().message));
        QCOMPARE(changed.size(), 0);
        QCOMPARE(document.undoStack()->count(), 0);
        QVERIFY(document.plan() == Plan {});

        const std::string& first = document.cost()->layers().front().name;
        const Plan good = Plan {}.withQuant(first, topiary::QuantSpec { topiary::QuantScheme::Uniform, 4, true, true });
        QVERIFY(document.editPlan(good, QStringLiteral("good")));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(refused.size(), 1);
        QCOMPARE(document.undoStack()->count(), 1);
        QVERIFY(document.plan() == good);
    }

    void selectionDatasetAndCountsSayWhenTheyChange()
    {
        Document document;
        document.setContents(smallCnn());
        QSignalSpy selection(&document, &Document::selectionChanged);
        document.selectLayer(2);
        document.selectLayer(2); // no change, no signal
        document.selectLayer(99); // out of range: none
        QCOMPARE(selection.size(), 2);
        QCOMPARE(selection.at(0).at(0).toInt(), 2);
        QCOMPARE(selection.at(1).at(0).toInt(), -1);

        QSignalSpy counts(&document, &Document::activationStatsChanged);
        document.setActivationStats(std::make_shared<const topiary::ActivationStats>());
        QCOMPARE(counts.size(), 1);
        QVERIFY(document.activationStats());
        QVERIFY(static_cast<bool>(document.scorer()));

        // A new model: nothing of the previous one's stays.
        document.setContents(smallCnn());
        QCOMPARE(document.selectedLayer(), -1);
        QVERIFY(!document.activationStats());
    }

    void evaluationsOfTheShownPlanBecomePointsAndHistory()
    {
        Document document;
        document.setContents(smallCnn());
        QSignalSpy pareto(&document, &Document::paretoChanged);
        QSignalSpy evaluations(&document, &Document::evaluationsChanged);

        document.recordEvaluation(Plan {}, metrics(100, 90));
        QCOMPARE(document.paretoSet().points().size(), size_t { 1 });
        QCOMPARE(document.currentParetoPoint(), 0);
        QCOMPARE(document.evaluationOf(Plan {})->top1.value, 0.9);

        const std::string& first = document.cost()->layers().front().name;
        const Plan edited = Plan {}.withQuant(first, topiary::QuantSpec { topiary::QuantScheme::Uniform, 4, true, true });
        document.recordEvaluation(edited, metrics(100, 80)); // not the shown plan: ignored
        QCOMPARE(document.paretoSet().points().size(), size_t { 1 });
        QVERIFY(document.editPlan(edited, QStringLiteral("4 bits")));
        QCOMPARE(document.currentParetoPoint(), -1);
        document.recordEvaluation(edited, metrics(0, 0)); // unlabelled: a point, no history entry
        QCOMPARE(document.paretoSet().points().size(), size_t { 2 });
        QVERIFY(!document.evaluationOf(edited));
        document.recordEvaluation(edited, metrics(200, 150)); // the same plan again: replaced
        QCOMPARE(document.paretoSet().points().size(), size_t { 2 });
        QCOMPARE(document.currentParetoPoint(), 1);
        QCOMPARE(document.evaluationOf(edited)->top1.value, 0.75);
        QCOMPARE(pareto.size(), 3);
        QCOMPARE(evaluations.size(), 2);

        // The project keeps every step's evaluation.
        const topiary::Project project = document.snapshot();
        QCOMPARE(project.history.size(), size_t { 1 });
        QVERIFY(project.history.front().evaluation.has_value());
        QCOMPARE(project.history.front().evaluation->top1.value, 0.75);

        // Another dataset: the evaluations were measured on other images.
        QTemporaryDir folder;
        QImage image(4, 4, QImage::Format_Grayscale8);
        image.fill(128);
        QVERIFY(image.save(folder.filePath(QStringLiteral("a.png"))));
        auto dataset = topiary::Dataset::fromFolder(folder.path().toStdString());
        QVERIFY2(dataset.has_value(), dataset ? "" : dataset.error().message.c_str());
        QSignalSpy datasetChanged(&document, &Document::datasetChanged);
        document.setDataset(std::move(*dataset), {}, folder.path());
        QCOMPARE(datasetChanged.size(), 1);
        QVERIFY(document.dataset());
        QVERIFY(!document.evaluationOf(edited));
        QCOMPARE(document.snapshot().datasetPath, std::filesystem::path(folder.path().toStdString()));

        document.setContents(smallCnn());
        QVERIFY(document.paretoSet().points().empty());
    }
};

QTEST_MAIN(TstDocument)
#include "tst_document.moc"
