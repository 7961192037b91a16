#include "DatasetDialog.h"

#include "widgets/DatasetPreview.h"
#include "widgets/NumberFormat.h"
#include "widgets/PreprocessForm.h"

#include "core/data/Dataset.h"
#include "core/model/Model.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace topiary {

namespace {

constexpr int kDebounceMs = 400;
constexpr int64_t kCheckedImages = 300;

const char* const kCurrentSetting = "the preprocessing in use";

std::vector<std::pair<std::string, std::string>> sourcesOf(const std::string& source)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const char* key : { "channels", "height", "width", "resize", "interpolation", "color_order", "scale", "mean",
             "std", "classes" })
        out.emplace_back(key, source);
    return out;
}

QString percentText(double fraction)
{
    return QStringLiteral("%1 %").arg(100.0 * fraction, 0, 'f', 1);
}

DatasetSource sourceFor(const QString& path)
{
    const QFileInfo info(path);
    if (info.isDir())
        return DatasetSource::Folder;
    const QString suffix = info.suffix().toLower();
    if (suffix == u"csv" || suffix == u"tsv" || suffix == u"txt")
        return DatasetSource::List;
    return DatasetSource::Idx;
}

} // namespace

struct DatasetDialog::Outcome {
    QString error; // the dataset could not be opened, or the model not run on it
    QString description;
    std::optional<DatasetSummary> summary;
    std::optional<DatasetCheck> check;
    std::vector<std::string> classNames;
};

DatasetDialog::DatasetDialog(
    std::shared_ptr<const Model> model, const QString& datasetPath, const PreprocessSpec& spec, QWidget* parent)
    : QDialog(parent)
    , m_model(std::move(model))
{
    setObjectName(QStringLiteral("datasetDialog"));
    m_watcher = new QFutureWatcher<std::shared_ptr<Outcome>>(this);
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(kDebounceMs);
    connect(m_debounce, &QTimer::timeout, this, &DatasetDialog::check);

    // ---- Source.
    auto* sourceBox = new QGroupBox(this);
    sourceBox->setObjectName(QStringLiteral("sourceBox"));
    m_folder = new QRadioButton(sourceBox);
    m_list = new QRadioButton(sourceBox);
    m_idx = new QRadioButton(sourceBox);
    m_sources = new QButtonGroup(this);
    m_sources->addButton(m_folder, static_cast<int>(DatasetSource::Folder));
    m_sources->addButton(m_list, static_cast<int>(DatasetSource::List));
    m_sources->addButton(m_idx, static_cast<int>(DatasetSource::Idx));
    m_folder->setChecked(true);
    m_path = new QLineEdit(sourceBox);
    m_path->setObjectName(QStringLiteral("datasetPath"));
    m_browse = new QPushButton(sourceBox);
    m_description = new QLabel(sourceBox);
    m_description->setWordWrap(true);
    auto* kinds = new QHBoxLayout;
    kinds->addWidget(m_folder);
    kinds->addWidget(m_list);
    kinds->addWidget(m_idx);
    kinds->addStretch(1);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    auto* sourceLayout = new QVBoxLayout(sourceBox);
    sourceLayout->addLayout(kinds);
    sourceLayout->addLayout(pathRow);
    sourceLayout->addWidget(m_description);
    connect(m_browse, &QPushButton::clicked, this, &DatasetDialog::browse);
    connect(m_path, &QLineEdit::editingFinished, this, [this] {
        if (QFileInfo::exists(m_path->text().trimmed()))
            setDatasetPath(m_path->text().trimmed());
    });

    // ---- Preprocessing.
    auto* preprocessBox = new QGroupBox(this);
    preprocessBox->setObjectName(QStringLiteral("preprocessBox"));
    m_form = new PreprocessForm(preprocessBox);
    m_findAgain = new QPushButton(preprocessBox);
    m_preprocessNote = new QLabel(preprocessBox);
    m_preprocessNote->setWordWrap(true);
    auto* preprocessLayout = new QVBoxLayout(preprocessBox);
    preprocessLayout->addWidget(m_form);
    auto* findRow = new QHBoxLayout;
    findRow->addWidget(m_preprocessNote, 1);
    findRow->addWidget(m_findAgain, 0, Qt::AlignTop);
    preprocessLayout->addLayout(findRow);
    connect(m_form, &PreprocessForm::edited, this, &DatasetDialog::scheduleCheck);
    connect(m_findAgain, &QPushButton::clicked, this, [this] {
        findPreprocess();
        scheduleCheck();
    });

    // ---- Preview and verdict.
    auto* previewBox = new QGroupBox(this);
    previewBox->setObjectName(QStringLiteral("previewBox"));
    m_preview = new DatasetPreview(previewBox);
    m_verdict = new QLabel(previewBox);
    m_verdict->setObjectName(QStringLiteral("datasetVerdict"));
    m_verdict->setWordWrap(true);
    m_verdict->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(previewBox);
    m_status->setEnabled(false);
    auto* previewLayout = new QVBoxLayout(previewBox);
    previewLayout->addWidget(m_preview);
    previewLayout->addWidget(m_verdict);
    previewLayout->addWidget(m_status);
    previewLayout->addStretch(1);

    // ---- Counts.
    auto* countsBox = new QGroupBox(this);
    countsBox->setObjectName(QStringLiteral("countsBox"));
    m_counts = new QLabel(countsBox);
    m_counts->setWordWrap(true);
    m_perClass = new QTableWidget(0, 3, countsBox);
    m_perClass->setObjectName(QStringLiteral("perClassTable"));
    m_perClass->verticalHeader()->hide();
    m_perClass->horizontalHeader()->setStretchLastSection(true);
    m_perClass->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_perClass->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_skipped = new QListWidget(countsBox);
    m_skipped->setObjectName(QStringLiteral("skippedList"));
    auto* countsLayout = new QVBoxLayout(countsBox);
    countsLayout->addWidget(m_counts);
    auto* tables = new QHBoxLayout;
    tables->addWidget(m_perClass, 3);
    tables->addWidget(m_skipped, 2);
    countsLayout->addLayout(tables, 1);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("datasetProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_problem->hide();

    m_buttons = new QDialogButtonBox(this);
    auto* use = m_buttons->addButton(QString(), QDialogButtonBox::AcceptRole);
    use->setObjectName(QStringLiteral("useDataset"));
    use->setDefault(true);
    auto* cancel = m_buttons->addButton(QString(), QDialogButtonBox::RejectRole);
    cancel->setObjectName(QStringLiteral("cancelDataset"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &DatasetDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    // Two columns: what the user sets on the left (scrolls on a small screen), what it
    // gives on the right.
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(sourceBox);
    leftLayout->addWidget(preprocessBox);
    leftLayout->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(left);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(left->sizeHint().width() + 24);
    auto* right = new QVBoxLayout;
    right->addWidget(previewBox, 3);
    right->addWidget(countsBox, 2);
    auto* columns = new QHBoxLayout;
    columns->addWidget(scroll, 5);
    columns->addLayout(right, 6);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(columns, 1);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(m_watcher, &QFutureWatcher<std::shared_ptr<Outcome>>::finished, this, &DatasetDialog::showOutcome);
    retranslateUi();
    resize(1060, 680);

    m_path->setText(datasetPath);
    if (!datasetPath.isEmpty())
        m_sources->button(static_cast<int>(sourceFor(datasetPath)))->setChecked(true);
    // Where the values in use came from: the files say so when they give the same spec.
    std::vector<std::pair<std::string, std::string>> sources = sourcesOf(kCurrentSetting);
    if (m_model) {
        PreprocessSearch search;
        search.dataset = datasetPath.toStdString();
        search.modelFile = m_model->path();
        if (auto chosen = choosePreprocess(*m_model, search); chosen && chosen->spec == spec)
            sources = chosen->sources;
    }
    m_form->setSpec(spec, sources);
    if (!datasetPath.isEmpty())
        check();
}

DatasetDialog::~DatasetDialog()
{
    m_stop.request_stop();
    m_watcher->waitForFinished(); // the worker holds no pointer to the dialog, but finish before the watcher goes
}

QString DatasetDialog::datasetPath() const
{
    return m_path->text().trimmed();
}

DatasetSource DatasetDialog::source() const
{
    return static_cast<DatasetSource>(m_sources->checkedId());
}

Result<PreprocessSpec> DatasetDialog::spec() const
{
    return m_form->spec();
}

QString DatasetDialog::verdictText() const
{
    return m_verdict->text();
}

QString DatasetDialog::problemText() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void DatasetDialog::setProblem(const QString& text)
{
    m_problem->setText(text);
    m_problem->setVisible(!text.isEmpty());
}

void DatasetDialog::setDatasetPath(const QString& path)
{
    m_path->setText(path);
    m_sources->button(static_cast<int>(sourceFor(path)))->setChecked(true);
    findPreprocess();
    scheduleCheck();
}

void DatasetDialog::browse()
{
    const QString start = datasetPath().isEmpty() ? QString() : QFileInfo(datasetPath()).absolutePath();
    QString chosen;
    // A folder tree cannot be chosen in a file picker: folders get a folder picker.
    switch (source()) {
    case DatasetSource::Folder:
        chosen = QFileDialog::getExistingDirectory(this, tr("Image Folder (one sub-folder per class)"), start);
        break;
    case DatasetSource::List:
        chosen = QFileDialog::getOpenFileName(
            this, tr("Image List"), start, tr("Image lists (*.csv *.tsv *.txt);;All files (*)"));
        break;
    case DatasetSource::Idx:
        chosen = QFileDialog::getOpenFileName(
            this, tr("IDX Images File"), start, tr("IDX files (*-idx3-ubyte *.idx3 *.gz);;All files (*)"));
        break;
    }
    if (!chosen.isEmpty())
        setDatasetPath(chosen);
}

void DatasetDialog::findPreprocess()
{
    if (!m_model)
        return;
    PreprocessSearch search;
    search.dataset = datasetPath().toStdString();
    search.modelFile = m_model->path();
    auto chosen = choosePreprocess(*m_model, search);
    if (!chosen) {
        m_preprocessNote->setText(
            tr("No preprocessing found: %1").arg(QString::fromStdString(chosen.error().message)));
        return;
    }
    m_form->setSpec(chosen->spec, chosen->sources);
    QString note = tr("Found: %1.").arg(QString::fromStdString(chosen->description));
    if (chosen->origin == PreprocessOrigin::ModelDefaults)
        note = tr("No preprocess.json beside the model or the data, and no mean or std in the model's metadata: "
                  "these are guesses from the input shape. Check them against how the model was trained.");
    else if (!chosen->warning.empty())
        note += QLatin1Char(' ') + QString::fromStdString(chosen->warning);
    m_preprocessNote->setText(note);
}

void DatasetDialog::scheduleCheck()
{
    m_debounce->start();
}

void DatasetDialog::check()
{
    m_debounce->stop();
    const QString path = datasetPath();
    auto spec = m_form->spec();
    if (path.isEmpty()) {
        setProblem(tr("Choose an image folder, a list or an IDX file."));
        return;
    }
    const QFileInfo info(path);
    if (!info.exists()) {
        setProblem(tr("%1 does not exist.").arg(path));
        return;
    }
    if ((source() == DatasetSource::Folder) != info.isDir()) {
        setProblem(source() == DatasetSource::Folder ? tr("%1 is a file; an image folder is a folder.").arg(path)
                                                     : tr("%1 is a folder; choose Image folder for it.").arg(path));
        return;
    }
    if (!spec) {
        setProblem(QString::fromStdString(spec.error().message));
        return;
    }
    if (m_model)
        if (auto fits = checkPreprocessFor(*spec, m_model->proto()); !fits) {
            setProblem(tr("The preprocessing does not fit the model: %1").arg(QString::fromStdString(fits.error().message)));
            return;
        }
    setProblem(QString());

    m_stop.request_stop();
    m_stop = std::stop_source();
    const int generation = ++m_generation;
    m_running = true;
    m_status->setText(tr("Reading the images and running the model on up to %1 of them…").arg(kCheckedImages));
    auto future = QtConcurrent::run([model = m_model, path = path.toStdString(), spec = *spec,
                                        stop = m_stop.get_token()]() -> std::shared_ptr<Outcome> {
        auto out = std::make_shared<Outcome>();
        DatasetOptions options;
        options.classNames = spec.classes;
        auto dataset = Dataset::open(path, options);
        if (!dataset) {
            out->error = QString::fromStdString(dataset.error().message);
            return out;
        }
        out->description = QString::fromStdString(dataset->description());
        out->classNames = spec.classes.empty() ? dataset->classNames() : spec.classes;
        out->summary = summarizeDataset(*dataset, spec.classes);
        if (!model)
            return out;
        DatasetCheckOptions checkOptions;
        checkOptions.limit = kCheckedImages;
        auto checked = checkDataset(model->proto(), *dataset, spec, checkOptions, stop);
        if (!checked)
            out->error = QString::fromStdString(checked.error().message);
        else
            out->check = std::move(*checked);
        return out;
    });
    // Results of older checks are dropped when they arrive (the generation moved on).
    m_watcher->setProperty("generation", generation);
    m_watcher->setFuture(future);
}

void DatasetDialog::showOutcome()
{
    if (m_watcher->property("generation").toInt() != m_generation)
        return;
    m_running = false;
    const std::shared_ptr<Outcome> outcome = m_watcher->result();
    m_status->clear();
    m_checkError = outcome->error;
    m_datasetDescription = outcome->description;
    m_summary = outcome->summary;
    m_check = outcome->check;
    m_classNames = outcome->classNames;
    if (m_check)
        m_preview->setSamples(m_check->previews, m_classNames);
    else
        m_preview->clear();
    setProblem(m_checkError);
    retranslateUi();
    emit checkFinished();
}

void DatasetDialog::showSummary()
{
    m_description->setText(m_datasetDescription);
    m_perClass->setRowCount(0);
    m_skipped->clear();
    if (!m_summary) {
        m_counts->clear();
        return;
    }
    const DatasetSummary& s = *m_summary;
    QStringList parts;
    parts << tr("%n image(s) read", nullptr, static_cast<int>(s.images));
    parts << tr("%n skipped", nullptr, static_cast<int>(s.skipped.size()));
    if (s.ignoredFiles > 0)
        parts << tr("%n other file(s) ignored", nullptr, static_cast<int>(s.ignoredFiles));
    if (s.unlabelled > 0)
        parts << tr("%n unlabelled", nullptr, static_cast<int>(s.unlabelled));
    m_counts->setText(parts.join(QStringLiteral(", ")));
    m_perClass->setRowCount(static_cast<int>(s.perClass.size()));
    for (int row = 0; row < static_cast<int>(s.perClass.size()); ++row) {
        const ClassCount& c = s.perClass[static_cast<size_t>(row)];
        auto* label = new QTableWidgetItem(QString::number(c.label));
        auto* name = new QTableWidgetItem(QString::fromStdString(c.name));
        auto* count = new QTableWidgetItem(format::count(c.images));
        count->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_perClass->setItem(row, 0, label);
        m_perClass->setItem(row, 1, count);
        m_perClass->setItem(row, 2, name);
    }
    m_perClass->resizeColumnsToContents();
    for (const std::string& skipped : s.skipped) {
        auto* item = new QListWidgetItem(QString::fromStdString(skipped), m_skipped);
        item->setToolTip(item->text());
    }
    if (s.skipped.empty())
        new QListWidgetItem(tr("No image skipped."), m_skipped);
}

void DatasetDialog::accept()
{
    auto chosen = spec();
    if (datasetPath().isEmpty() || !QFileInfo::exists(datasetPath())) {
        setProblem(tr("Choose an image folder, a list or an IDX file."));
        return;
    }
    if (!chosen) {
        setProblem(QString::fromStdString(chosen.error().message));
        return;
    }
    QDialog::accept();
}

void DatasetDialog::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void DatasetDialog::retranslateUi()
{
    setWindowTitle(tr("Dataset"));
    findChild<QGroupBox*>(QStringLiteral("sourceBox"))->setTitle(tr("Source"));
    findChild<QGroupBox*>(QStringLiteral("preprocessBox"))->setTitle(tr("Preprocessing"));
    findChild<QGroupBox*>(QStringLiteral("previewBox"))->setTitle(tr("Preview: label → the model's prediction"));
    findChild<QGroupBox*>(QStringLiteral("countsBox"))->setTitle(tr("Images"));
    m_folder->setText(tr("Image folder"));
    m_folder->setToolTip(tr("A folder with one sub-folder of images per class, as torchvision's ImageFolder."));
    m_list->setText(tr("List (.csv, .tsv)"));
    m_list->setToolTip(tr("A text file of path,label lines; paths relative to the list's folder."));
    m_idx->setText(tr("IDX file"));
    m_idx->setToolTip(tr("MNIST-style images file; its labels file is found by name beside it."));
    m_browse->setText(tr("Browse…"));
    m_findAgain->setText(tr("Look Again"));
    m_findAgain->setToolTip(tr("Take the preprocessing from preprocess.json beside the model or the data, the "
                               "model's metadata, or the input shape, replacing the fields above."));
    m_perClass->setHorizontalHeaderLabels({ tr("Label"), tr("Images"), tr("Name") });
    m_buttons->findChild<QPushButton*>(QStringLiteral("useDataset"))->setText(tr("Use Dataset"));
    m_buttons->findChild<QPushButton*>(QStringLiteral("cancelDataset"))->setText(tr("Cancel"));
    if (m_running)
        m_status->setText(tr("Reading the images and running the model on up to %1 of them…").arg(kCheckedImages));

    QString verdict;
    bool warn = false;
    if (m_check && m_check->metrics.labelled > 0) {
        const Estimate top1 = m_check->metrics.top1();
        verdict = tr("The unmodified model gets %1 (95 % interval %2 to %3) on %n image(s).", nullptr,
            static_cast<int>(m_check->metrics.labelled))
                      .arg(percentText(top1.value), percentText(top1.low), percentText(top1.high));
        if (m_check->nearChance) {
            warn = true;
            verdict += QLatin1Char(' ')
                + tr("That is near chance (%1 for %n classes): the preprocessing is most likely not the one the model "
                     "was trained with. Check the size, scale, mean and std, the channel order and the order of the "
                     "class names.",
                    nullptr, m_check->metrics.numClasses)
                      .arg(percentText(m_check->chance));
        }
    } else if (m_check) {
        verdict = tr("The data has no labels: the preview shows the model's predictions only.");
    }
    m_verdict->setText(verdict);
    m_verdict->setStyleSheet(warn ? QStringLiteral("color: #b3261e; font-weight: 600;") : QString());
    showSummary();
}

} // namespace topiary
