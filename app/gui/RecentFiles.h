// The File > Open Recent menu: the last files opened, most recent first, kept in
// QSettings. Files that no longer exist are dropped whenever the list is read.
#pragma once

#include <QObject>
#include <QStringList>

class QMenu;

namespace topiary {

class RecentFiles : public QObject {
    Q_OBJECT

public:
    static constexpr int MaxCount = 10;

    // Fills menu (owned by the caller) and keeps it up to date.
    explicit RecentFiles(QMenu* menu, QObject* parent = nullptr);

    void add(const QString& path);
    void remove(const QString& path);
    void clear();
    // The stored files that still exist, most recent first.
    QStringList files() const;

    void retranslateUi();

signals:
    void openRequested(const QString& path);

private:
    void store(const QStringList& files);
    void rebuildMenu();

    QMenu* m_menu;
};

} // namespace topiary
