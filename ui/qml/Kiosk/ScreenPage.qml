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
    // Landscape leaves little height below the header: tighter titles, wider layouts. Only a
    // landscape screen is wide enough for those: a portrait one squeezed short (a card reminder
    // and the staff-called note at once) would get columns too narrow for a receipt number.
    readonly property bool compact: width > height * 1.4 && width > 1400
    // While the keyboard is up the title, the guidance and the banner give their room to the
    // field being typed into (its own error shows beneath it); they come back when it closes.
    readonly property bool typing: Qt.inputMethod.visible
    // A screen that scrolls (the form) shows the heading inside its scrolling content instead,
    // so title, guidance and banner scroll away with it rather than taking the screen's height.
    property bool headingScrolls: false

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: page.compact ? Theme.spacing : Theme.margin
        anchors.leftMargin: Theme.margin
        anchors.rightMargin: Theme.margin
        spacing: page.compact ? Theme.spacing / 2 : Theme.spacing

        Text {
            objectName: "screenTitle"
            Layout.fillWidth: true
            visible: page.title.length > 0 && !page.typing && !page.headingScrolls
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
            visible: page.subtitle.length > 0 && !page.typing && !page.headingScrolls
            text: page.subtitle
            wrapMode: Text.WordWrap
            font.family: Theme.fontFamily
            font.pixelSize: page.compact ? Theme.fontSmall : Theme.fontBody
            lineHeight: Theme.lineHeight
            color: Theme.textMuted
        }
        MessageBanner {
            objectName: "messageBanner"
            Layout.fillWidth: true
            shown: !page.typing && !page.headingScrolls
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
