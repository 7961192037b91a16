#include "RecentFiles.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace topiary {

namespace {
const QString settingsKey = QStringLiteral("recentFiles");
}

RecentFiles::RecentFiles(QMenu* menu, QObject* parent)
    : QObject(parent)
    , m_menu(menu)
{
    // Rebuilt on every opening, so a file deleted meanwhile disappears from the menu.
    connect(m_menu, &QMenu::aboutToShow, this, &RecentFiles::rebuildMenu);
    rebuildMenu();
}

void RecentFiles::add(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    QStringList list = files();
    list.removeAll(absolute);
    list.prepend(absolute);
    while (list.size() > MaxCount)
        list.removeLast();
    store(list);
}

void RecentFiles::remove(const QString& path)
{
    QStringList list = QSettings().value(settingsKey).toStringList();
    list.removeAll(QFileInfo(path).absoluteFilePath());
    store(list);
}

void RecentFiles::clear()
{
    store({});
}

QStringList RecentFiles::files() const
{
    QStringList list;
    const QStringList stored = QSettings().value(settingsKey).toStringList();
    for (const QString& path : stored) {
        if (QFileInfo(path).isFile() && !list.contains(path))
            list.append(path);
        if (list.size() == MaxCount)
            break;
    }
    return list;
}

void RecentFiles::retranslateUi()
{
    m_menu->setTitle(tr("Open &Recent"));
    rebuildMenu();
}

void RecentFiles::store(const QStringList& files)
{
    QSettings().setValue(settingsKey, files);
    rebuildMenu();
}

void RecentFiles::rebuildMenu()
{
    m_menu->clear();
    const QStringList list = files();
    for (int i = 0; i < list.size(); ++i) {
        const QString& path = list[i];
        // Numbers 1-9 get a mnemonic; the tenth is reached with the arrow keys.
        const QString number = i < 9 ? QStringLiteral("&%1").arg(i + 1) : QString::number(i + 1);
        QAction* action = m_menu->addAction(tr("%1  %2").arg(number, QFileInfo(path).fileName()));
        action->setToolTip(QDir::toNativeSeparators(path));
        action->setStatusTip(QDir::toNativeSeparators(path));
        // Queued: what follows may rebuild this menu, deleting the action mid-signal.
        connect(action, &QAction::triggered, this, [this, path] { emit openRequested(path); }, Qt::QueuedConnection);
    }
    if (!list.isEmpty())
        m_menu->addSeparator();
    QAction* clearAction = m_menu->addAction(tr("&Clear Menu"));
    connect(clearAction, &QAction::triggered, this, &RecentFiles::clear, Qt::QueuedConnection);
    clearAction->setEnabled(!list.isEmpty());
}

} // namespace topiary
