// How a model load shows in the window: "Loading x…" with a busy bar and a Cancel button
// at the right of the status bar while it runs, then what was loaded (and whether its
// weights were stored in 8 or 16 bits), or why it could not be, in the status bar and,
// unless dialogs are off, in a message box that does not block the window.
#pragma once

#include <QObject>
#include <QString>

#include <functional>

class QLabel;
class QProgressBar;
class QStatusBar;
class QToolButton;
class QWidget;

namespace topiary {

class ModelLoader;
struct LoadedModel;

class LoadStatus : public QObject {
    Q_OBJECT

public:
    LoadStatus(ModelLoader* loader, QStatusBar* bar, QWidget* window, std::function<bool()> showDialogs);

    void retranslateUi();

private:
    void started(const QString& displayName);
    void loaded(const LoadedModel& result);
    void failed(const QString& path, const QString& message);
    void canceled();
    void setRunning(bool running);

    QStatusBar* m_bar;
    QWidget* m_window;
    std::function<bool()> m_showDialogs;
    QLabel* m_label = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancel = nullptr;
    QString m_name; // of the model being loaded
};

} // namespace topiary
