import QtQuick
import QtQuick.Layouts

// The frame of one journey screen: a big title, an optional line of guidance, the terminal's
// message (if any) and the screen's own content below.
//
// Voice guidance (VoiceGuide.qml) says `spokenPrompt` when the screen appears or it changes
// (by default the title and the guidance line) and each of `spokenAlerts` when it appears
// (errors and notices the screen shows beyond the terminal's message, which is said anyway).
Item {
    id: page
    property string title: ""
    property string subtitle: ""
    property string message: kiosk.state.message || ""
    property bool messageIsError: true
    property string spokenPrompt: [title, subtitle].filter(function (t) { return t.length > 0 }).join(" ")
    property var spokenAlerts: []
    default property alias body: bodyArea.data
    // Landscape leaves little height below the header: tighter titles, wider layouts.
    readonly property bool compact: width > height * 1.4
    // While typing on a short screen the titles give their room to the field.
    readonly property bool typingOnShortScreen: Qt.inputMethod.visible && height < 900

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: page.compact ? Theme.spacing : Theme.margin
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        spacing: page.compact ? Theme.spacing / 2 : Theme.spacing

        Text {
            objectName: "screenTitle"
            Layout.fillWidth: true
            visible: page.title.length > 0 && !page.typingOnShortScreen
            text: page.title
            wrapMode: Text.WordWrap
            font.family: Theme.fontFamily
            font.pixelSize: page.compact ? Theme.fontHeading : Theme.fontTitle
            lineHeight: Theme.lineHeight
            font.bold: true
            color: Theme.text
        }
        Text {
            Layout.fillWidth: true
            visible: page.subtitle.length > 0 && !page.typingOnShortScreen
            text: page.subtitle
            wrapMode: Text.WordWrap
            font.family: Theme.fontFamily
            font.pixelSize: page.compact ? Theme.fontSmall : Theme.fontBody
            lineHeight: Theme.lineHeight
            color: Theme.textMuted
        }
        MessageBanner {
            Layout.fillWidth: true
            text: page.message
            isError: page.messageIsError
        }
        Item {
            id: bodyArea
            Layout.fillWidth: true
            Layout.fillHeight: true
        }
    }
}
