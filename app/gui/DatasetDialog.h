// The Dataset dialog: where the images come from (an image folder chosen with a folder
// picker, a .csv/.tsv list or an IDX file), how they are preprocessed (every field, with
// where its value came from), a preview of a few preprocessed images with their labels
// and the unmodified model's predictions, the images read, skipped (with reasons) and per
// class, and a plain warning when the model's accuracy on the data is near chance. The
// opening, counting and prediction run in the core on a worker thread; the dialog only
// asks. The caller reads datasetPath() and spec() after accept() and evaluates with them.
#pragma once

#include "core/analysis/DatasetCheck.h"
#include "core/base/Error.h"
#include "core/data/DatasetSummary.h"
#include "core/data/Preprocess.h"

#include <QDialog>
#include <QFutureWatcher>

#include <memory>
#include <optional>
#include <stop_token>

class QButtonGroup;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;
class QTableWidget;
class QTimer;

namespace topiary {

class DatasetPreview;
class Model;
class PreprocessForm;

enum class DatasetSource { Folder, List, Idx };

class DatasetDialog : public QDialog {
    Q_OBJECT

public:
    // model: the unmodified model the preview runs. datasetPath "" = none chosen yet.
    // spec: the preprocessing in use (shown as it is, its sources found again from files).
    DatasetDialog(std::shared_ptr<const Model> model, const QString& datasetPath, const PreprocessSpec& spec,
        QWidget* parent = nullptr);
    ~DatasetDialog() override;

    QString datasetPath() const;
    DatasetSource source() const;
    // The preprocessing as the fields say; an error names a field that is not valid.
    Result<PreprocessSpec> spec() const;

    // Sets the source and path as if chosen in the picker, and looks for a preprocess.json.
    void setDatasetPath(const QString& path);
    // Starts opening and checking now (the dialog also does this on its own after edits).
    void check();
    bool isChecking() const { return m_running; }

    // What the last check found, for tests and the window.
    const std::optional<DatasetCheck>& lastCheck() const { return m_check; }
    const std::optional<DatasetSummary>& lastSummary() const { return m_summary; }
    QString verdictText() const;
    QString problemText() const;
    PreprocessForm* form() const { return m_form; }
    DatasetPreview* preview() const { return m_preview; }

    void accept() override;

signals:
    // Every check ends with this, whether it succeeded or not (stale checks excepted).
    void checkFinished();

protected:
    void changeEvent(QEvent* event) override;

private:
    struct Outcome;
    void retranslateUi();
    void browse();
    void findPreprocess();
    void scheduleCheck();
    void showOutcome();
    void showSummary();
    void setProblem(const QString& text);

    std::shared_ptr<const Model> m_model;
    QRadioButton* m_folder = nullptr;
    QRadioButton* m_list = nullptr;
    QRadioButton* m_idx = nullptr;
    QButtonGroup* m_sources = nullptr;
    QLineEdit* m_path = nullptr;
    QPushButton* m_browse = nullptr;
    QLabel* m_description = nullptr;
    PreprocessForm* m_form = nullptr;
    QPushButton* m_findAgain = nullptr;
    QLabel* m_preprocessNote = nullptr;
    DatasetPreview* m_preview = nullptr;
    QLabel* m_verdict = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_counts = nullptr;
    QTableWidget* m_perClass = nullptr;
    QListWidget* m_skipped = nullptr;
    QLabel* m_problem = nullptr;
    QDialogButtonBox* m_buttons = nullptr;
    QTimer* m_debounce = nullptr;

    QFutureWatcher<std::shared_ptr<Outcome>>* m_watcher = nullptr;
    std::stop_source m_stop;
    int m_generation = 0;
    bool m_running = false;
    std::optional<DatasetCheck> m_check;
    std::optional<DatasetSummary> m_summary;
    std::vector<std::string> m_classNames; // of the last check, for the preview and the table
    QString m_datasetDescription;
    QString m_checkError;
};

} // namespace topiary
