import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts

// A date without typing: three wheels (year, month, day) in a dialog. open(isoDate) starts it at
// that date (or today); "OK" emits picked("YYYY-MM-DD"). Days follow the month and leap years.
Popup {
    id: picker
    signal picked(string isoDate)
    signal cancelled()
    property int firstYear: 1900
    property int lastYear: new Date().getFullYear() + 10

    parent: Overlay.overlay
    modal: true
    focus: true
    anchors.centerIn: parent
    width: Math.min(parent ? parent.width - 2 * Theme.margin : 900, 900)
    // Elder mode in landscape: the wheels give up height before the buttons leave the screen.
    height: Math.min(implicitHeight, parent ? parent.height - Theme.margin : implicitHeight)
    padding: Theme.margin
    closePolicy: Popup.CloseOnEscape
    background: Rectangle { radius: Theme.radius * 1.5; color: Theme.surface; border.color: Theme.border; border.width: 3 }
    Overlay.modal: Rectangle { color: "#99000000" }

    // The idle warning sits below popups: step aside so the citizen sees it and can stay.
    readonly property bool idleWarning: kiosk.state.idle_seconds_left !== null
                                       && kiosk.state.idle_seconds_left !== undefined
    onIdleWarningChanged: if (idleWarning) close()

    function daysIn(year, month) { return new Date(year, month, 0).getDate() }
    function pad(n) { return (n < 10 ? "0" : "") + n }

    function openAt(iso) {
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "")
        const now = new Date()
        const y = m ? Number(m[1]) : now.getFullYear()
        const mo = m ? Number(m[2]) : now.getMonth() + 1
        const d = m ? Number(m[3]) : now.getDate()
        yearWheel.currentIndex = Math.max(0, Math.min(lastYear, y) - firstYear)
        monthWheel.currentIndex = mo - 1
        dayWheel.model = daysIn(y, mo)
        dayWheel.currentIndex = Math.min(d, dayWheel.count) - 1
        open()
        // Jump, do not spin a hundred years on opening.
        for (const w of [yearWheel, monthWheel, dayWheel])
            w.positionViewAtIndex(w.currentIndex, Tumbler.Center)
    }
    readonly property string value: (firstYear + yearWheel.currentIndex) + "-" + pad(monthWheel.currentIndex + 1)
                                    + "-" + pad(dayWheel.currentIndex + 1)
    function refreshDays() {
        const keep = dayWheel.currentIndex
        dayWheel.model = daysIn(firstYear + yearWheel.currentIndex, monthWheel.currentIndex + 1)
        dayWheel.currentIndex = Math.min(keep, dayWheel.count - 1)
        dayWheel.positionViewAtIndex(dayWheel.currentIndex, Tumbler.Center)
    }

    component Wheel: ColumnLayout {
        id: wheelBox
        property alias tumbler: wheel
        property string caption
        property var format: function (i) { return String(i) }
        Layout.fillWidth: true
        Layout.fillHeight: true
        spacing: Theme.spacing / 2
        KText {
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: wheelBox.caption
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
        }
        Tumbler {
            id: wheel
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredHeight: Theme.touchTarget * 5
            Layout.minimumHeight: Theme.touchTarget * 3
            // Rows never shorter than a touch target: fewer of them when the wheel is short.
            visibleItemCount: height >= Theme.touchTarget * 5 ? 5 : 3
            wrap: false
            background: Rectangle {
                // The band of the chosen value.
                y: (wheel.height - height) / 2
                width: wheel.width
                height: wheel.height / wheel.visibleItemCount
                radius: Theme.radius
                color: Theme.primaryTint
                border.color: Theme.primary
                border.width: 3
            }
            // No Tumbler.displacement here: the attached object warns while the day wheel's model
            // changes (delegates without a parent); the distance to currentIndex is enough.
            delegate: Text {
                id: valueText
                required property int index
                readonly property int distance: Math.abs(index - wheel.currentIndex)
                objectName: wheel.objectName + "_" + index
                text: wheelBox.format(index)
                font.family: Theme.fontFamily
                font.pixelSize: Theme.fontHeading
                font.bold: distance === 0
                color: distance === 0 ? Theme.primary : Theme.textMuted
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                // A value in sight is chosen by touching it, not only by turning the wheel to it.
                TapHandler {
                    onTapped: wheel.currentIndex = valueText.index
                }
            }
        }
    }

    contentItem: ColumnLayout {
        objectName: "datePicker"
        spacing: Theme.spacing
        KText {
            Layout.fillWidth: true
            text: qsTr("Choose a date")
            font.pixelSize: Theme.fontHeading
            font.bold: true
        }
        KText {
            Layout.fillWidth: true
            text: qsTr("Touch a value or turn the wheels, then touch OK.")
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: Theme.spacing
            Wheel {
                id: yearBox
                caption: qsTr("Year")
                format: function (i) { return String(picker.firstYear + i) }
                Layout.preferredWidth: 3
                tumbler.objectName: "dateYearTumbler"
                tumbler.model: picker.lastYear - picker.firstYear + 1
            }
            Wheel {
                id: monthBox
                caption: qsTr("Month")
                format: function (i) { return String(i + 1) }
                Layout.preferredWidth: 2
                tumbler.objectName: "dateMonthTumbler"
                tumbler.model: 12
            }
            Wheel {
                id: dayBox
                caption: qsTr("Day")
                format: function (i) { return String(i + 1) }
                Layout.preferredWidth: 2
                tumbler.objectName: "dateDayTumbler"
                tumbler.model: 31
            }
        }
        KText {
            objectName: "datePickerValue"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            text: picker.value
            font.pixelSize: Theme.fontHeading
            font.bold: true
            color: Theme.primary
        }
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing
            KioskButton {
                objectName: "datePickerCancel"
                Layout.fillWidth: true
                kind: "secondary"
                text: qsTr("Cancel")
                onClicked: {
                    picker.close()
                    picker.cancelled()
                }
            }
            KioskButton {
                objectName: "datePickerOk"
                Layout.fillWidth: true
                text: qsTr("OK")
                onClicked: {
                    picker.close()
                    picker.picked(picker.value)
                }
            }
        }
    }
    readonly property Tumbler yearWheel: yearBox.tumbler
    readonly property Tumbler monthWheel: monthBox.tumbler
    readonly property Tumbler dayWheel: dayBox.tumbler
    Connections {
        target: picker.yearWheel
        function onCurrentIndexChanged() { picker.refreshDays() }
    }
    Connections {
        target: picker.monthWheel
        function onCurrentIndexChanged() { picker.refreshDays() }
    }
}
