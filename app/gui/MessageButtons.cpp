#include "MessageButtons.h"

#include <QAbstractButton>
#include <QCoreApplication>

namespace topiary {

namespace {

QString buttonText(QMessageBox::StandardButton button)
{
    switch (button) {
    case QMessageBox::Ok:
        return QCoreApplication::translate("topiary::MessageButtons", "OK");
    case QMessageBox::Save:
        return QCoreApplication::translate("topiary::MessageButtons", "&Save");
    case QMessageBox::Discard:
        return QCoreApplication::translate("topiary::MessageButtons", "&Discard");
    case QMessageBox::Cancel:
        return QCoreApplication::translate("topiary::MessageButtons", "Cancel");
    case QMessageBox::Yes:
        return QCoreApplication::translate("topiary::MessageButtons", "&Yes");
    case QMessageBox::No:
        return QCoreApplication::translate("topiary::MessageButtons", "&No");
    case QMessageBox::Close:
        return QCoreApplication::translate("topiary::MessageButtons", "Close");
    default:
        return {};
    }
}

} // namespace

void nameButtons(QMessageBox* box)
{
    for (QAbstractButton* button : box->buttons())
        if (const QString text = buttonText(box->standardButton(button)); !text.isEmpty())
            button->setText(text);
}

QMessageBox::StandardButton askQuestion(QWidget* parent, const QString& title, const QString& text,
    QMessageBox::StandardButtons buttons, QMessageBox::StandardButton defaultButton)
{
    QMessageBox box(QMessageBox::Question, title, text, buttons, parent);
    box.setDefaultButton(defaultButton);
    nameButtons(&box);
    const int answer = box.exec();
    return box.clickedButton() ? box.standardButton(box.clickedButton()) : static_cast<QMessageBox::StandardButton>(answer);
}

} // namespace topiary
