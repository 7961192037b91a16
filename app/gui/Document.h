// The document: the one model the window shows, with its cost analysis and where it came
// from. Views read it and listen to modelChanged; nothing else holds a copy of the truth.
// (The plan, the undo stack and cached results join it as those features arrive.)
#pragma once

#include <QObject>
#include <QString>

#include <memory>

namespace topiary {

class Model;
class CostModel;

// A model as the loader hands it over: immutable, shared with the views that show it.
struct LoadedModel {
    std::shared_ptr<const Model> model;
    std::shared_ptr<const CostModel> cost;
    QString path;          // the file, or a ":/..." resource path
    QString displayName;   // the file name, shown in the title bar
    qint64 fileBytes = 0;  // size of what was parsed
};

class Document : public QObject {
    Q_OBJECT

public:
    explicit Document(QObject* parent = nullptr);
    ~Document() override;

    // Replaces the shown model; emits modelChanged.
    void setContents(LoadedModel contents);

    bool isEmpty() const { return !m_contents.model; }
    const std::shared_ptr<const Model>& model() const { return m_contents.model; }
    const std::shared_ptr<const CostModel>& cost() const { return m_contents.cost; }
    const QString& path() const { return m_contents.path; }
    const QString& displayName() const { return m_contents.displayName; }
    qint64 fileBytes() const { return m_contents.fileBytes; }

signals:
    void modelChanged();

private:
    LoadedModel m_contents;
};

} // namespace topiary
