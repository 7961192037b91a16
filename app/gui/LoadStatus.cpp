#include "LoadStatus.h"

#include "Document.h"
#include "MessageButtons.h"
#include "ModelLoader.h"

#include "widgets/NumberFormat.h"

#include "core/model/CostModel.h"
#include "core/model/Model.h"

#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

namespace topiary {

namespace {
constexpr int statusTimeoutMs = 5000;
} // namespace

LoadStatus::LoadStatus(ModelLoader* loader, QStatusBar* bar, QWidget* window, std::function<bool()> showDialogs)
    : QObject(window)
    , m_bar(bar)
    , m_window(window)
    , m_showDialogs(std::move(showDialogs))
{
    m_label = new QLabel(window);
    m_progress = new QProgressBar(window);
    m_progress->setRange(0, 0); // busy: the loader cannot tell how far it is
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(false);
    m_cancel = new QToolButton(window);
    m_cancel->setObjectName(QStringLiteral("cancelLoadButton"));
    m_cancel->setAutoRaise(true);
    connect(m_cancel, &QToolButton::clicked, loader, &ModelLoader::cancel);
    bar->addPermanentWidget(m_label);
    bar->addPermanentWidget(m_progress);
    bar->addPermanentWidget(m_cancel);
    setRunning(false);
    connect(loader, &ModelLoader::started, this, &LoadStatus::started);
    connect(loader, &ModelLoader::loaded, this, &LoadStatus::loaded);
    connect(loader, &ModelLoader::failed, this, &LoadStatus::failed);
    connect(loader, &ModelLoader::canceled, this, &LoadStatus::canceled);
    retranslateUi();
}

void LoadStatus::retranslateUi()
{
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Stop waiting for this model; the current one stays open"));
    if (!m_name.isEmpty())
        m_label->setText(tr("Loading %1…").arg(m_name));
}

void LoadStatus::setRunning(bool running)
{
    if (!running)
        m_name.clear();
    m_label->setVisible(running);
    m_progress->setVisible(running);
    m_cancel->setVisible(running);
}

void LoadStatus::started(const QString& displayName)
{
    m_name = displayName;
    m_label->setText(tr("Loading %1…").arg(displayName));
    setRunning(true);
}

void LoadStatus::loaded(const LoadedModel& result)
{
    setRunning(false);
    const auto layers = static_cast<qint64>(result.cost->layers().size());
    QString loaded = tr("Loaded %1 (layers: %2, parameters: %3)")
                         .arg(result.displayName, format::count(layers), format::count(result.cost->totals().params));
    // An int8 QDQ or float16 file: say its weights are now float32 until exported so again.
    const WidenedWeights& widened = result.model->widenedWeights();
    if (widened.dequantized > 0)
        loaded += QLatin1Char(' ') + tr("Its int8 weights are edited as float32: export 8-bit layers as int8 QDQ to keep them small.");
    if (widened.cast > 0)
        loaded += QLatin1Char(' ') + tr("Its float16 weights are edited as float32: export float16 layers with float16 storage to keep them small.");
    m_bar->showMessage(loaded, widened.total() > 0 ? 3 * statusTimeoutMs : statusTimeoutMs);
}

void LoadStatus::failed(const QString& path, const QString& message)
{
    setRunning(false);
    const QString name = QFileInfo(path).fileName();
    m_bar->showMessage(tr("Could not open %1").arg(name), statusTimeoutMs);
    if (!m_showDialogs())
        return;
    // Window-modal without a nested event loop: loads and repaints go on behind it.
    auto* box = new QMessageBox(QMessageBox::Critical, tr("Could not open model"), tr("Could not open %1.").arg(name),
        QMessageBox::Ok, m_window);
    box->setInformativeText(message);
    nameButtons(box);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void LoadStatus::canceled()
{
    m_bar->showMessage(tr("Stopped loading %1").arg(m_name), statusTimeoutMs);
    setRunning(false);
}

} // namespace topiary
