import QtQuick
import QtQuick.Layouts

// 人像采集: a live preview with an oval guide; after the capture, the photo with retake / use.
ScreenPage {
    id: screen
    objectName: "screen_face"
    readonly property bool hasPhoto: !!kiosk.state.has_photo
    readonly property var face: kiosk.state.face || ({})
    readonly property var verification: face.verification || null
    title: hasPhoto ? qsTr("Is this photo clear?") : qsTr("Look at the camera")
    subtitle: hasPhoto ? qsTr("Your whole face should be visible, without a hat or sunglasses.")
                       : qsTr("Place your face inside the oval, then touch \"Take photo\".")
    // While the preview runs, the live guidance is the prompt: the voice follows it.
    spokenPrompt: hasPhoto ? [title, subtitle, face.review_note || ""].join(" ").trim()
                           : (face.challenge_text || face.guidance_text || title + " " + subtitle)

    GridLayout {
        id: grid
        anchors.fill: parent
        columns: screen.compact ? 2 : 1
        columnSpacing: Theme.spacing * 2
        rowSpacing: Theme.spacing * 2

        Rectangle {
            id: frame
            // 4:3 like the camera, as large as the space allows.
            Layout.fillWidth: !screen.compact
            Layout.fillHeight: true
            Layout.maximumHeight: width * 3 / 4
            Layout.preferredWidth: screen.compact ? grid.height * 4 / 3 : -1
            color: "#000000"
            radius: Theme.radius
            clip: true

            Image {
                id: preview
                objectName: "cameraPreview"
                anchors.fill: parent
                visible: !screen.hasPhoto
                fillMode: Image.PreserveAspectCrop
                cache: false
                mirror: true
                // A new revision means a new frame; the provider always returns the newest one.
                source: screen.hasPhoto ? "" : "image://camera/" + kiosk.frameRevision
            }
            OvalGuide {
                anchors.fill: parent
                visible: !screen.hasPhoto
                ovalHeight: height * 0.8
                ovalWidth: Math.min(width * 0.6, ovalHeight * 0.75)
            }
            // Guidance over the preview: green when everything holds, amber otherwise.
            Rectangle {
                id: guidanceBar
                objectName: "faceGuidance"
                visible: !screen.hasPhoto && !!screen.face.guidance_text
                anchors.horizontalCenter: parent.horizontalCenter
                anchors.bottom: parent.bottom
                anchors.bottomMargin: Theme.spacing
                width: Math.min(parent.width - 2 * Theme.spacing, guidanceText.implicitWidth + 3 * Theme.spacing)
                height: guidanceText.implicitHeight + Theme.spacing
                radius: height / 2
                color: screen.face.good ? Theme.guidanceGood : Theme.guidanceAdjust
                KText {
                    id: guidanceText
                    objectName: "faceGuidanceText"
                    anchors.centerIn: parent
                    width: parent.width - 2 * Theme.spacing
                    horizontalAlignment: Text.AlignHCenter
                    wrapMode: Text.WordWrap
                    color: "#FFFFFF"
                    font.bold: true
                    text: screen.face.challenge_text || screen.face.guidance_text || ""
                }
            }
            KText {
                objectName: "faceCountdown"
                visible: !screen.hasPhoto && screen.face.countdown !== null && screen.face.countdown !== undefined
                anchors.centerIn: parent
                color: "#FFFFFF"
                style: Text.Outline
                styleColor: "#80000000"
                font.pixelSize: parent.height * 0.3
                font.bold: true
                text: screen.face.countdown > 0 ? String(screen.face.countdown) : ""
            }
            Image {
                id: photo
                objectName: "capturedPhoto"
                anchors.fill: parent
                visible: screen.hasPhoto
                fillMode: Image.PreserveAspectFit
                cache: false
                mirror: true
                source: screen.hasPhoto ? "image://photo/" + (kiosk.state.photo_revision || 0) : ""
            }
        }

        GridLayout {
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignVCenter
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing
            visible: !screen.hasPhoto
            KioskButton {
                objectName: "captureButton"
                Layout.fillWidth: true
                text: qsTr("Take photo")
                enabled: !kiosk.state.busy
                onClicked: kiosk.capturePhoto()
            }
        }
        GridLayout {
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignVCenter
            columns: screen.compact ? 1 : 2
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing
            visible: screen.hasPhoto
            KText {
                objectName: "faceReviewNote"
                Layout.fillWidth: true
                Layout.columnSpan: screen.compact ? 1 : 2
                visible: !!screen.verification && screen.verification.decision === "staff_review"
                wrapMode: Text.WordWrap
                text: screen.face.review_note || ""
            }
            KioskButton {
                objectName: "retakeButton"
                kind: "secondary"
                Layout.fillWidth: true
                text: qsTr("Take again")
                onClicked: kiosk.retakePhoto()
            }
            KioskButton {
                objectName: "usePhotoButton"
                Layout.fillWidth: true
                text: qsTr("Use this photo")
                onClicked: kiosk.acceptPhoto()
            }
        }
    }
}
