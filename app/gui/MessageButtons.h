// Message boxes whose buttons speak the window's language. QMessageBox names its standard
// buttons (OK, Save, Discard, Cancel, Yes, No, Close) from Qt's own translations, which are
// often not installed: after a switch to Chinese the question was Chinese and its buttons
// English. These name them with tr().
#pragma once

#include <QMessageBox>

namespace topiary {

// Gives every standard button of `box` its text in the current language.
void nameButtons(QMessageBox* box);

// QMessageBox::question with named buttons; modal, returns the button pressed.
QMessageBox::StandardButton askQuestion(QWidget* parent, const QString& title, const QString& text,
    QMessageBox::StandardButtons buttons, QMessageBox::StandardButton defaultButton);

} // namespace topiary
