// A few images of a dataset as the model sees them (after the preprocessing's resize and
// crop), each with its label and the model's prediction: a wrong size, crop or channel
// order shows at a glance, and so does a class order that does not match the model.
#pragma once

#include "core/analysis/DatasetCheck.h"

#include <QWidget>

#include <string>
#include <vector>

class QGridLayout;
class QLabel;

namespace topiary {

class DatasetPreview : public QWidget {
    Q_OBJECT

public:
    explicit DatasetPreview(QWidget* parent = nullptr);

    // classNames: the names of labels and predictions (empty: numbers).
    void setSamples(const std::vector<PreviewSample>& samples, const std::vector<std::string>& classNames);
    void clear();

    int sampleCount() const { return static_cast<int>(m_captions.size()); }
    QString captionText(int i) const; // "Trouser\n→ Trouser", for tests
    bool isCorrect(int i) const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslateUi();
    QString className(int label) const;

    QGridLayout* m_grid = nullptr;
    std::vector<QLabel*> m_images;
    std::vector<QLabel*> m_captions;
    std::vector<PreviewSample> m_samples;
    std::vector<std::string> m_classNames;
};

} // namespace topiary
