"""The accessibility audit (issue 7): every screen of the journey, as rendered, in both
orientations, both modes (normal and 长辈版 elder mode) and both languages.

On each screen and in each of the four variants it checks, on the real QML over the real core:

- every visible touchable item (button, check box, radio button, text field, tap area) is at
  least 44 × 44 px, 60 × 60 px in elder mode (WCAG 2.5.5, 适老化);
- every visible text is at least 18 px, 28 px in elder mode (适老化: elder mode enlarges all
  text), and shows whole: not elided, not cut by a line limit, not overflowing its box;
- every scrolling view that goes on below the fold shows a scroll cue;
- in elder mode the on-screen keyboard's keys and its candidate bar are touch targets of at
  least 60 px too (in normal mode Qt's own sizes stand);
- every visible text has a contrast of at least 4.5:1 against what is behind it, measured on
  the rendered pixels (the text's own colour against the most common colour of its box);
- in Chinese no English is left on screen (except the language switch's "English" and format
  tokens such as YYMMDD), in English no Chinese (except "中文" and the citizen's own data);
- the screen has a spoken prompt, and "repeat" hands it to the voice.

The journey is walked once per orientation; the variants are switched on each screen through
the same commands the citizen's taps send (language, elder mode). Screens that last only a
moment on simulated devices (submitting, printing) and states that are slow to reach (idle
warning, passport key, printer out of paper) are shown by giving the window the real
snapshot with those fields changed, as tests/ui/test_screens.py does.

Qt's virtual keyboard is left out of the text and contrast checks: it is Qt's own component,
styled by Qt; Main.qml scales it up in elder mode.

With KIOSK_SCREENS_DIR set (`make screens`), the screens are also saved there, scaled down, for
docs/screens/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtQuick import QQuickItem

from tests.ui.audit_support import (
    contrast,
    descendants,
    effective_opacity,
    is_text,
    is_touchable,
    pixels,
    unpack,
    visible_rect,
)

from .conftest import child_items, class_name, has_property

MIN_TARGET = {False: 44, True: 60}
#: Smallest text, px (one px per dp, as for the targets). 适老化 asks for at least 18 dp; elder
#: mode must also enlarge every text, so none may stay at a normal-mode size: at least the
#: elder caption size (Theme.fontCaption), 28 px, where normal mode's caption is 24.
MIN_TEXT = {False: 18, True: 28}
MIN_CONTRAST = 4.5
ALLOWED_LATIN = {"English", "CAN", "YYMMDD", "YYYY", "MM", "DD"}
ALLOWED_CJK = {"中文", "政"}
#: Shown in both languages on purpose, whatever the session's language: the reminder to take a
#: document left on the reader (CardReminder.qml) is for whoever left it.
BILINGUAL_NOTICES = {"请取回您的证件", "Please take your ID card", "请先取走读卡器上的证件，再重新放置",
                     "Please take the document off the reader, then place it again"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3400-\u9fff]")
#: Variants in an order that changes one thing at a time, ending where it started.
VARIANTS = [("zh-CN", False), ("zh-CN", True), ("en", True), ("en", False)]
#: The variants saved for docs/screens (all four would make the folder too big to browse).
SAVED_VARIANTS = {("zh-CN", False), ("zh-CN", True), ("en", False)}
SCREENS_DIR = os.environ.get("KIOSK_SCREENS_DIR")


# ---- the audit of one rendered screen ---------------------------------------------------------

class Audit:
    """Walks the journey of one running kiosk and collects every finding."""

    def __init__(self, kiosk: Any, orientation: str) -> None:
        self.kiosk = kiosk
        self.orientation = orientation
        self.findings: list[str] = []
        self.audited: list[str] = []

    # -- switching variants through the citizen's commands --
    def switch(self, language: str, elder: bool, overlay: dict[str, Any] | None) -> None:
        kiosk = self.kiosk
        if kiosk.state.get("language") != language:
            kiosk.bridge.setLanguage(language)
        if bool(kiosk.state.get("elder_mode")) != elder:
            kiosk.bridge.setElderMode(elder)
        kiosk.wait_until(lambda: kiosk.state.get("language") == language
                         and bool(kiosk.state.get("elder_mode")) == elder)
        if overlay:
            # Device status events may publish a fresh snapshot meanwhile: apply until it holds.
            def applied() -> bool:
                if any(kiosk.state.get(k) != v for k, v in overlay.items()):
                    kiosk.bridge._apply_snapshot(dict(kiosk.state, **overlay))
                    kiosk.settle(0.05)
                return all(kiosk.state.get(k) == v for k, v in overlay.items())
            kiosk.wait_until(applied)
        kiosk.settle(0.1)

    def screen(self, name: str, overlay: dict[str, Any] | None = None) -> None:
        for language, elder in VARIANTS:
            self.switch(language, elder, overlay)
            self.check(name, language, elder)
        if overlay:
            self.kiosk.bridge._apply_snapshot(self.kiosk.core.snapshot())  # the real one again
            self.kiosk.settle(0.1)
        self.audited.append(name)

    # -- the checks --
    def check(self, name: str, language: str, elder: bool) -> None:
        kiosk = self.kiosk
        where = f"{self.orientation}/{language}/{'elder' if elder else 'normal'}/{name}"
        window = kiosk.window
        image = window.grabWindow()
        window_rect = QRectF(0, 0, window.width(), window.height())
        grid = pixels(image)
        root = window.contentItem()
        keyboard = kiosk.find("inputPanel", visible_only=False)
        skipped = set(descendants(keyboard)) if keyboard is not None else set()
        overlay = kiosk.find("idleOverlay")
        covered = QRectF()
        on_top: set[QQuickItem] = set()
        if overlay is not None:
            on_top = set(descendants(overlay))
            box = kiosk.find("idleBox")
            covered = window_rect if overlay.property("color").alpha() > 0 else box.mapRectToScene(box.boundingRect())
        # Scroll cues fade what goes on below the fold: what shows through is not checked.
        cues = [c for c in descendants(root) if c.objectName() == "scrollCue" and c.isVisible()]
        cue_items = {d for c in cues for d in descendants(c)}
        faded = [c.mapRectToScene(QRectF(0, 0, c.width(), c.height())) for c in cues]
        data_texts = self.data_texts()
        # Demo-only controls name the simulator's sample documents (a real terminal has none).
        demo = kiosk.find("demoControls")
        demo_items = set(descendants(demo)) if demo is not None else set()

        for item in descendants(root):
            if item in skipped or not item.isVisible() or item.width() <= 0 or effective_opacity(item) == 0:
                continue
            label = f"{where}: {item.objectName() or class_name(item)}"
            if is_touchable(item):
                least = MIN_TARGET[elder]
                if item.width() < least or item.height() < least:
                    self.findings.append(f"{label} is {item.width():.0f}×{item.height():.0f}, below {least}")
            if not is_text(item):
                continue
            text = str(item.property("text") or "")
            if not text.strip():
                continue
            self.check_size_and_fit(label, text, item, elder)
            if item not in demo_items:
                self.check_language(label, text, language, data_texts)
            rect = visible_rect(item, window_rect)
            full = item.width() * item.height()
            if rect.width() < 2 or rect.height() < 2 or rect.width() * rect.height() < 0.6 * full:
                continue  # mostly scrolled away: what is left of its box says little
            if item not in on_top and covered.intersects(rect):
                continue  # behind the idle warning
            if item not in cue_items and any(f.intersects(rect) for f in faded):
                continue  # under a scroll cue's fade
            self.check_contrast(label, text, item, rect, grid)

        self.check_keyboard(where, keyboard, elder)
        self.check_scroll_cues(where, root, skipped, keyboard)
        prompt = kiosk.get("voiceGuide").property("prompt")
        if not prompt or not str(prompt).strip():
            self.findings.append(f"{where}: no spoken prompt")
        self.save(name, image, language, elder)

    def check_size_and_fit(self, label: str, text: str, item: QQuickItem, elder: bool) -> None:
        size = item.property("font").pixelSize()
        if 0 < size < MIN_TEXT[elder]:
            self.findings.append(f"{label} {text[:30]!r}: text of {size} px, below {MIN_TEXT[elder]}")
        if not item.inherits("QQuickText"):
            return
        if item.property("truncated"):
            self.findings.append(f"{label} {text[:30]!r}: cut short (elided or over its line limit)")
        elif (item.property("contentWidth") > item.width() + 1
              or item.property("contentHeight") > item.height() + 1):
            self.findings.append(f"{label} {text[:30]!r}: overflows its box ({item.property('contentWidth'):.0f}"
                                 f"×{item.property('contentHeight'):.0f} in {item.width():.0f}×{item.height():.0f})")

    def check_scroll_cues(self, where: str, root: QQuickItem, skipped: set[QQuickItem],
                          keyboard: QQuickItem | None) -> None:
        """Where a scrolling view goes on below its bottom edge, a visible cue says so (while
        the keyboard is up it covers that edge and the cue steps aside)."""
        if keyboard is not None and keyboard.property("active"):
            return
        for item in descendants(root):
            if item in skipped or class_name(item) != "QQuickFlickable" or not item.isVisible():
                continue
            below = item.property("contentHeight") - item.property("contentY") - item.height()
            if below <= 2 or item.height() <= 0:
                continue
            cues = [c for c in child_items(item) if c.objectName() == "scrollCue" and c.isVisible()]
            if not cues:
                self.findings.append(f"{where}: {item.objectName() or 'a scrolling view'} goes on "
                                     f"{below:.0f} px below the fold without a scroll cue")

    def check_keyboard(self, where: str, keyboard: QQuickItem | None, elder: bool) -> None:
        """In elder mode the keyboard's keys and candidates are targets of at least 60 px too."""
        if not elder or keyboard is None or not keyboard.property("active"):
            return
        least = MIN_TARGET[elder]
        for item in descendants(keyboard):
            if not item.isVisible() or effective_opacity(item) == 0 or item.width() <= 0:
                continue
            kind = class_name(item)
            # Filler keys only pad a row; they do nothing when touched.
            is_key = (has_property(item, "displayText") and item.property("enabled")
                      and not kind.startswith("FillerKey"))
            is_candidates = item.objectName() == "" and item.inherits("QQuickListView")
            if (is_key or is_candidates) and (item.height() < least or (is_key and item.width() < least)):
                name = (item.property("displayText") or kind.split("_")[0]) if is_key else "candidate bar"
                size = f"{item.width():.0f}×{item.height():.0f}"
                self.findings.append(f"{where}: keyboard {name!r} is {size}, below {least}")

    def check_contrast(self, label: str, text: str, item: QQuickItem, rect: QRectF, grid: np.ndarray) -> None:
        x0, y0 = int(rect.left()), int(rect.top())
        x1, y1 = int(rect.right()), int(rect.bottom())
        values, counts = np.unique(grid[y0:y1, x0:x1], return_counts=True)
        colour = QColor(item.property("color"))
        fg = (colour.red(), colour.green(), colour.blue())
        order = np.argsort(counts)[::-1]
        bg = unpack(int(values[order[0]]))
        if contrast(fg, bg) < 1.2 and len(order) > 1:  # the glyphs fill the box: take the next colour
            bg = unpack(int(values[order[1]]))
        alpha = colour.alphaF() * effective_opacity(item)
        if alpha < 1:
            fg = tuple(f * alpha + b * (1 - alpha) for f, b in zip(fg, bg, strict=False))
        ratio = contrast(fg, bg)
        if ratio < MIN_CONTRAST:
            self.findings.append(f"{label} {text[:30]!r}: contrast {ratio:.2f} ({colour.name()} on #{bytes(bg).hex()})")

    def data_texts(self) -> list[str]:
        """The citizen's own data and the terminal's numbers: shown as they are in any language."""
        state = self.kiosk.state
        texts = [str(row.get("value", "")) for row in state.get("review") or []]
        for field in (state.get("form") or {}).get("fields") or []:
            texts += [str(field.get("value") or ""), str(field.get("text") or "")]
        identity = state.get("identity") or {}
        texts += [str(v) for v in identity.values() if isinstance(v, str)]
        return [t for t in texts if t]

    def check_language(self, label: str, text: str, language: str, data_texts: list[str]) -> None:
        if any(text in data or data in text for data in data_texts):
            return
        if text in BILINGUAL_NOTICES:
            return
        if language == "zh-CN":
            left = [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN]
            if left:
                self.findings.append(f"{label}: English left in Chinese: {text[:60]!r}")
        elif CJK.search(text) and text.strip() not in ALLOWED_CJK:
            self.findings.append(f"{label}: Chinese left in English: {text[:60]!r}")

    def save(self, name: str, image: QImage, language: str, elder: bool) -> None:
        if not SCREENS_DIR or ((language, elder) not in SAVED_VARIANTS and not os.environ.get("KIOSK_SCREENS_ALL")):
            return
        folder = Path(SCREENS_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        index = len(self.audited) + 1
        mode = "elder" if elder else "normal"
        path = folder / f"{self.orientation}_{language}_{mode}_{index:02d}_{name}.png"
        small = image.scaled(image.width() * 9 // 20, image.height() * 9 // 20,
                             Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        # A palette of 256 colours: the screens are flat colours, so this keeps them sharp and small.
        small = small.convertToFormat(QImage.Format.Format_Indexed8, Qt.ImageConversionFlag.ThresholdDither)
        assert small.save(str(path), "PNG", 0), path  # 0: the strongest compression


# ---- the walk ---------------------------------------------------------------------------------

@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_every_screen_passes_the_accessibility_audit(make_kiosk: Any, kiosk_config: Any, orientation: str) -> None:
    # A 网证 service is configured (nothing listens there): the identify screen shows its choice
    # and the demo buttons.
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"orientation": orientation, "voice_engine": "mock"},
                                                   netid={"url": "http://127.0.0.1:9"}))
    audit = Audit(kiosk, orientation)

    audit.screen("attract")
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    audit.screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    audit.screen("identify")
    audit.screen("identify_passport_key", {"access_key": {"needed": True, "error": "rejected"}})
    audit.screen("identify_card_left", {"card_left": "present_again"})  # a document from before
    kiosk.tap("useNetidButton")
    audit.screen("identify_netid")  # how to show the 网证 code
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("face")
    preview = kiosk.get("cameraPreview")
    kiosk.wait_until(lambda: preview.property("implicitWidth") > 0)
    audit.screen("face_preview")
    kiosk.tap("captureButton")
    kiosk.wait_until(lambda: kiosk.state["has_photo"])
    photo = kiosk.get("capturedPhoto")
    kiosk.wait_until(lambda: photo.property("implicitWidth") > 0)
    audit.screen("face_photo")
    kiosk.tap("usePhotoButton")
    kiosk.wait_for_screen("form")
    audit.screen("form")
    kiosk.tap("completeFormButton")  # incomplete: the errors show inline, and are spoken
    kiosk.wait_until(lambda: kiosk.state["message"])
    audit.screen("form_errors")
    kiosk.tap("field_phone")
    panel = kiosk.find("inputPanel", visible_only=False)
    kiosk.wait_until(lambda: panel.property("active"))
    audit.screen("form_keyboard")
    kiosk.bridge.setFieldValue("residence_address", "北京市朝阳区建国路88号")
    kiosk.type_into("field_residence_since", "20230501")
    kiosk.tap("field_basis_residence")
    kiosk.tap("field_housing_type_rented")
    kiosk.type_into("field_phone", "13800138000")
    kiosk.tap("field_collection_method_pickup")
    kiosk.tap("field_declaration")
    kiosk.wait_until(lambda: kiosk.state["form"]["complete"])
    kiosk.tap("completeFormButton")
    kiosk.wait_for_screen("review")
    audit.screen("review")
    audit.screen("idle_warning", {"idle_seconds_left": 25})
    receipt = "110105-T01-20260101-0001"
    audit.screen("submitting", {"screen": "submitting", "busy": True, "receipt_number": receipt})
    audit.screen("printing", {"screen": "printing", "busy": True, "receipt_number": receipt})
    kiosk.bridge._apply_snapshot(dict(kiosk.state, screen="review", busy=False, receipt_number=None))
    kiosk.wait_for_screen("review")
    kiosk.tap("consentCheckBox")
    kiosk.tap("submitButton")
    kiosk.wait_for_screen("done", timeout_ms=30_000)
    audit.screen("done")
    audit.screen("done_printer_unavailable", {"printed": False, "message": ""})
    kiosk.tap("callStaffButton")
    kiosk.wait_until(lambda: kiosk.state.get("staff_called"))
    audit.screen("done_staff_called")

    if audit.findings:
        pytest.fail(f"{len(audit.findings)} accessibility findings:\n  " + "\n  ".join(audit.findings), pytrace=False)
    assert len(audit.audited) == 18


def test_repeat_says_the_prompt_and_mute_silences_the_voice(make_kiosk: Any, kiosk_config: Any) -> None:
    kiosk = make_kiosk(kiosk_config.with_overrides(ui={"voice_engine": "mock"}))
    guide = kiosk.get("voiceGuide")
    voice = kiosk.get("voice")
    # The attract screen speaks only once someone is there: "repeat" says its prompt. The engine
    # starts in a process of its own; on a loaded machine that can take a while.
    kiosk.wait_until(lambda: voice.property("available"), timeout_ms=60_000)
    # The start screen's prompt comes with the core's first snapshot (the catalog loads on the
    # journey thread meanwhile); until then "repeat" has nothing to say.
    kiosk.wait_until(lambda: guide.property("prompt"), timeout_ms=60_000)
    assert voice.property("spokenCount") == 0
    kiosk.tap("repeatButton")
    kiosk.wait_until(lambda: voice.property("spokenCount") == 1)
    assert voice.property("lastSpoken").startswith(guide.property("prompt"))

    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    kiosk.wait_until(lambda: voice.property("lastSpoken") == guide.property("prompt"))
    assert "请" in voice.property("lastSpoken")

    kiosk.tap("voiceButton")  # voice off: nothing more is said, "repeat" is disabled
    kiosk.wait_until(lambda: kiosk.state.get("voice_muted"))
    said = voice.property("spokenCount")
    assert not kiosk.get("repeatButton").isEnabled()
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.settle(0.2)
    assert voice.property("spokenCount") == said

    kiosk.tap("voiceButton")  # on again; then an error shown is spoken as it appears
    kiosk.wait_until(lambda: not kiosk.state.get("voice_muted"))
    kiosk.tap("callStaffButton")
    kiosk.wait_until(lambda: kiosk.get("staffCalledBanner").isVisible())
    kiosk.wait_until(lambda: "工作人员" in voice.property("lastSpoken"))

    # Finishing the session puts everything back: voice on, elder mode off, staff call cleared.
    kiosk.bridge.setVoiceMuted(True)
    kiosk.bridge.setElderMode(True)
    kiosk.wait_until(lambda: kiosk.state.get("elder_mode") and kiosk.state.get("voice_muted"))
    kiosk.tap("backButton")
    kiosk.wait_for_screen("notice")
    kiosk.tap("backButton")  # "cancel" on the notice ends the session
    kiosk.wait_for_screen("attract")
    assert not kiosk.state["elder_mode"] and not kiosk.state["voice_muted"] and not kiosk.state["staff_called"]
