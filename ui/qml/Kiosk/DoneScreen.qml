import QtQuick
import QtQuick.Layouts

// 完成: the receipt number, big, and whether the receipt was printed.
ScreenPage {
    id: screen
    objectName: "screen_done"
    readonly property bool printed: kiosk.state.printed === true
    title: qsTr("Your application has been submitted")
    message: ""
    // Landscape: the title goes beside the number (top of the right column), so the number
    // keeps the whole height below the header.
    headingScrolls: compact
    spokenPrompt: title + " " + qsTr("Receipt number: %1").arg(kiosk.state.receipt_number || "")
                  + (printed ? " " + printedText.text : "")
    spokenAlerts: (printed ? [] : [printerBanner.text, fallbackText.visible ? fallbackText.text : ""])
                  .concat(ratingPanel.visible ? [ratingPanel.spoken] : [])

    // The receipt number always stays in view (it is what a citizen must keep when the printer
    // fails); the printer's word and the rating beside it (landscape) or below it (portrait)
    // scroll if the screen is short (elder mode, a card reminder, staff called); the countdown
    // and "Finish" always stay in view below them.
    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        GridLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            columns: screen.compact ? 2 : 1
            columnSpacing: Theme.spacing * 2
            rowSpacing: Theme.spacing

            Rectangle {
                objectName: "receiptNumberBox"
                Layout.fillWidth: true
                Layout.preferredWidth: 1
                Layout.alignment: Qt.AlignTop
                // No taller than it needs, and shorter when the screen is (the number shrinks
                // to fit), so nothing pushes it or "Finish" off the screen.
                Layout.fillHeight: true
                // The text beside or below gives up its room first (it scrolls): the number
                // shrinks only down to a size that still reads.
                Layout.minimumHeight: numberLabel.implicitHeight + numberColumn.spacing
                                      + Theme.fontSmall * 1.6 + 2 * numberColumn.anchors.margins
                Layout.maximumHeight: implicitHeight
                // From the label and the number's full size, not its fitted size (which would
                // shrink the box with the text, and the text with the box).
                implicitHeight: numberLabel.implicitHeight + numberColumn.spacing
                                + Theme.fontHuge * 1.5 + 2 * numberColumn.anchors.margins
                Layout.preferredHeight: implicitHeight
                radius: Theme.radius * 1.5
                color: Theme.primaryTint
                border.color: Theme.primary
                border.width: 3
                ColumnLayout {
                    id: numberColumn
                    anchors.fill: parent
                    anchors.margins: screen.compact ? Theme.spacing : Theme.margin
                    spacing: screen.compact ? Theme.spacing / 2 : Theme.spacing
                    KText {
                        id: numberLabel
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignHCenter
                        text: qsTr("Receipt number")
                        color: Theme.textMuted
                    }
                    KText {
                        objectName: "receiptNumberText"
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignHCenter
                        text: kiosk.state.receipt_number || ""
                        font.pixelSize: Theme.fontHuge
                        font.bold: true
                        color: Theme.primary
                        // A receipt number must never break across lines: shrink it to fit instead.
                        wrapMode: Text.NoWrap
                        fontSizeMode: Text.Fit
                        lineHeight: 1.0  // one line: the fitting does not count extra leading
                        Layout.fillHeight: true
                        Layout.preferredHeight: Theme.fontHuge * 1.5
                        Layout.minimumHeight: Theme.fontSmall * 1.6
                        verticalAlignment: Text.AlignVCenter
                        minimumPixelSize: Theme.fontSmall
                    }
                }
            }

            // Landscape: beside the number, so "Finish" takes none of the number's height.
            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                Layout.preferredWidth: 1
                spacing: Theme.spacing

                Flickable {
                    id: doneFlick
                    objectName: "doneFlickable"
                    ScrollCue { parent: doneFlick }
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    contentHeight: grid.implicitHeight
                    clip: true
                    boundsBehavior: Flickable.StopAtBounds

                    GridLayout {
                        id: grid
                        width: doneFlick.width
                        columns: 1

                        ColumnLayout {
                            Layout.fillWidth: true
                            Layout.fillHeight: true
                            spacing: screen.compact ? Theme.spacing : Theme.spacing * 2

                            KText {
                                objectName: "doneTitleBeside"
                                Layout.fillWidth: true
                                visible: screen.compact
                                text: screen.title
                                font.pixelSize: Theme.fontHeading
                                font.bold: true
                            }
                            KText {
                                id: printedText
                                objectName: "printedText"
                                Layout.fillWidth: true
                                horizontalAlignment: Text.AlignHCenter
                                visible: screen.printed
                                text: qsTr("Please take your receipt. Keep it to check the progress of your application.")
                                font.pixelSize: screen.compact ? Theme.fontBody : Theme.fontHeading
                                color: Theme.success
                            }
                            MessageBanner {
                                id: printerBanner
                                objectName: "printerUnavailableBanner"
                                Layout.fillWidth: true
                                visible: !screen.printed
                                text: kiosk.state.message || qsTr("The printer is unavailable. Please note this number.")
                            }
                            // Fallback when the receipt could not be printed: its progress address as a QR code, so
                            // the citizen keeps a copy on their phone; staff have been alerted by the core.
                            ColumnLayout {
                                objectName: "receiptFallback"
                                readonly property var fallback: kiosk.state.receipt_fallback || null
                                readonly property var modules: fallback ? fallback.modules : []
                                visible: !screen.printed && modules.length > 0
                                Layout.fillWidth: true
                                spacing: Theme.spacing
                                Rectangle {
                                    Layout.alignment: Qt.AlignHCenter
                                    readonly property int side: screen.compact ? 240 : 320
                                    Layout.preferredWidth: side
                                    Layout.preferredHeight: side
                                    color: "white"
                                    Canvas {
                                        id: qrCanvas
                                        objectName: "receiptQrCanvas"
                                        anchors.fill: parent
                                        readonly property var modules: parent.parent.modules
                                        onModulesChanged: requestPaint()
                                        onPaint: {
                                            var ctx = getContext("2d")
                                            ctx.fillStyle = "white"
                                            ctx.fillRect(0, 0, width, height)
                                            var n = modules.length
                                            if (n === 0)
                                                return
                                            var cell = Math.floor(Math.min(width, height) / n)
                                            var offset = Math.floor((width - cell * n) / 2)
                                            ctx.fillStyle = "black"
                                            for (var y = 0; y < n; ++y)
                                                for (var x = 0; x < n; ++x)
                                                    if (modules[y].charAt(x) === "1")
                                                        ctx.fillRect(offset + x * cell, offset + y * cell, cell, cell)
                                        }
                                    }
                                }
                                KText {
                                    id: fallbackText
                                    objectName: "receiptFallbackText"
                                    Layout.fillWidth: true
                                    horizontalAlignment: Text.AlignHCenter
                                    text: qsTr("Scan this code with your phone to keep a copy of your receipt. Staff have been told about the printer.")
                                    font.pixelSize: Theme.fontSmall
                                }
                            }
                            KText {
                                Layout.fillWidth: true
                                visible: !screen.compact
                                horizontalAlignment: Text.AlignHCenter
                                text: qsTr("Nothing of your application stays on this screen once you touch \"Finish\".")
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                            }
                            RatingPanel {
                                id: ratingPanel
                                Layout.fillWidth: true
                                compact: screen.compact
                            }
                        }
                    }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    KText {
                        objectName: "doneCountdownText"
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignHCenter
                        readonly property var secondsLeft: kiosk.state.idle_seconds_left
                        visible: secondsLeft !== null && secondsLeft !== undefined
                        text: qsTr("Returning to the start screen in %1 s").arg(Math.ceil(Number(secondsLeft || 0)))
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSmall
                    }
                    KioskButton {
                        objectName: "finishButton"
                        Layout.fillWidth: true
                        text: qsTr("Finish")
                        onClicked: kiosk.finish()
                    }
                }
            }
        }
    }
}
