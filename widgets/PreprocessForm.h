// The fields of a preprocessing spec (core/data/Preprocess.h) for people to read and edit:
// channels, size, resize, interpolation, channel order, scale, mean, std and class names,
// each with where its value came from (the model's metadata, a preprocess.json, the
// input shape, a default, or "edited"). Text fields are read back with the core's own
// checks, so an invalid entry is named, never silently replaced.
#pragma once

#include "core/base/Error.h"
#include "core/data/Preprocess.h"

#include <QWidget>

#include <string>
#include <utility>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace topiary {

class PreprocessForm : public QWidget {
    Q_OBJECT

public:
    explicit PreprocessForm(QWidget* parent = nullptr);

    // Shows spec; sources by JSON field name (ChosenPreprocess::sources). Emits no edited().
    void setSpec(const PreprocessSpec& spec, const std::vector<std::pair<std::string, std::string>>& sources);
    // The spec as the fields say, checked (checkPreprocess); the error names the field.
    Result<PreprocessSpec> spec() const;
    // The source shown beside a field ("mean", "height"...), for tests.
    QString sourceText(const QString& field) const;

    QSpinBox* heightBox() const { return m_height; }
    QLineEdit* meanEdit() const { return m_mean; }
    QLineEdit* stdEdit() const { return m_std; }
    QLineEdit* scaleEdit() const { return m_scale; }

signals:
    // The user changed a field (after editing finished, for text fields).
    void edited();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    QString sourceName(const QString& source);
    void markEdited(const char* field);
    QLabel* addRow(const char* field, QWidget* editor);

    QFormLayout* m_form = nullptr;
    QComboBox* m_channels = nullptr;
    QSpinBox* m_height = nullptr;
    QSpinBox* m_width = nullptr;
    QSpinBox* m_resize = nullptr;
    QComboBox* m_interpolation = nullptr;
    QComboBox* m_colorOrder = nullptr;
    QLineEdit* m_scale = nullptr;
    QLineEdit* m_mean = nullptr;
    QLineEdit* m_std = nullptr;
    QPlainTextEdit* m_classes = nullptr;
    std::vector<std::pair<std::string, QLabel*>> m_sourceLabels; // by field
    std::vector<std::pair<std::string, QString>> m_sources; // as given, "" = edited
    std::string m_inputName; // kept as given: the dialog has no field for it
    bool m_setting = false;
};

} // namespace topiary
