import QtQuick
import QtQuick.Controls.Basic

// A big touch button. kind: "primary" (filled), "secondary" (outlined) or "staff" (help).
Button {
    id: control
    property string kind: "primary"
    property int fontSize: Theme.fontBody

    // A label that wraps makes the button taller rather than spilling out of it.
    implicitHeight: Math.max(Theme.touchTarget, contentItem.implicitHeight + topPadding + bottomPadding)
    implicitWidth: Math.max(Theme.touchTarget * 2, contentItem.implicitWidth + leftPadding + rightPadding)
    leftPadding: 40
    rightPadding: 40
    focusPolicy: Qt.StrongFocus

    contentItem: Text {
        text: control.text
        font.family: Theme.fontFamily
        font.pixelSize: control.fontSize
        font.bold: control.kind === "primary"
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        wrapMode: Text.WordWrap
        color: !control.enabled ? Theme.textOnDisabled
             : control.kind === "primary" ? Theme.textOnPrimary : Theme.primary
    }

    background: Rectangle {
        radius: Theme.radius
        color: !control.enabled ? Theme.disabled
             : control.kind === "primary" ? (control.down ? Theme.primaryDark : Theme.primary)
             : (control.down ? Theme.primaryTint : Theme.surface)
        border.width: control.kind === "primary" ? 0 : 3
        border.color: control.enabled ? Theme.primary : Theme.disabled
    }
}
