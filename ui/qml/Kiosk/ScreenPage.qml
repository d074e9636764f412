import QtQuick
import QtQuick.Layouts

// The frame of one journey screen: a big title, an optional line of guidance, the terminal's
// message (if any) and the screen's own content below.
Item {
    id: page
    property string title: ""
    property string subtitle: ""
    property string message: kiosk.state.message || ""
    property bool messageIsError: true
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
