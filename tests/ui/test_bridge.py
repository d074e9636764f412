"""The bridge hops core events onto the GUI thread, latest-only, and converts frames safely."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor

from kiosk.events import JOURNEY_CHANGED, Event
from ui.bridge import PREVIEW_FRAME_UPDATED, CameraImageProvider, KioskBridge, frame_to_qimage


@pytest.fixture
def core(kiosk_config: Any) -> Any:
    from kiosk.core import KioskCore

    return KioskCore(kiosk_config)  # not started: the bridge only needs its events and snapshot


def test_snapshots_from_worker_threads_arrive_on_the_gui_thread_newest_only(qtbot: Any, core: Any) -> None:
    bridge = KioskBridge(core)
    bridge.open()
    seen: list[tuple[str, bool]] = []
    bridge.stateChanged.connect(
        lambda: seen.append((bridge.state["screen"], threading.current_thread() is threading.main_thread()))
    )

    def publish() -> None:
        for screen in ("notice", "identify", "face"):
            core.events.publish(JOURNEY_CHANGED, snapshot={"screen": screen, "language": "zh-CN"})

    worker = threading.Thread(target=publish)
    worker.start()
    worker.join()
    assert seen == []  # nothing touched Qt on the worker thread
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [("face", True)]  # one delivery, with the newest snapshot
    bridge.close()
    core.events.publish(JOURNEY_CHANGED, snapshot={"screen": "form"})
    qtbot.wait(20)
    assert bridge.state["screen"] == "face"


def test_a_burst_of_frames_bumps_the_revision_once(qtbot: Any, core: Any) -> None:
    bridge = KioskBridge(core)
    bridge.open()
    workers = [threading.Thread(target=lambda: core.events.publish(PREVIEW_FRAME_UPDATED)) for _ in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    qtbot.waitUntil(lambda: bridge.frameRevision > 0)
    qtbot.wait(20)
    assert bridge.frameRevision == 1
    bridge.close()


def test_frame_to_qimage_owns_its_pixels() -> None:
    pixels = np.zeros((48, 64, 3), np.uint8)
    pixels[..., 0] = 200  # red
    image = frame_to_qimage(pixels[:, ::-1])  # a non-contiguous view is fine too
    pixels[...] = 0
    del pixels
    assert (image.width(), image.height()) == (64, 48)
    assert image.pixelColor(5, 5) == QColor(200, 0, 0)


def test_frame_to_qimage_rejects_what_is_not_an_rgb_frame() -> None:
    with pytest.raises(ValueError, match="RGB"):
        frame_to_qimage(np.zeros((4, 4), np.uint8))


def test_camera_provider_without_a_frame_gives_a_placeholder(core: Any) -> None:
    size = QSize()
    image = CameraImageProvider(core).requestImage("1", size, QSize())
    assert not image.isNull()
    assert size.width() == image.width()


def test_language_follows_the_snapshot_unless_a_tap_is_pending(qtbot: Any, core: Any) -> None:
    shown: list[str] = []
    bridge = KioskBridge(core, {"language": "zh-CN"}, on_language_changed=shown.append)
    bridge.open()
    bridge.setLanguage("en")
    assert shown == ["en"]
    # A snapshot built before the core saw the tap must not switch the screen back.
    bridge._on_core_event(Event(JOURNEY_CHANGED, {"snapshot": {"screen": "attract", "language": "zh-CN"}}))
    qtbot.waitUntil(lambda: bridge.state.get("screen") == "attract")
    assert bridge.language == "en"
    bridge._on_core_event(Event(JOURNEY_CHANGED, {"snapshot": {"screen": "attract", "language": "en"}}))
    qtbot.wait(20)
    # After a wipe the core may return to its default language: the screen follows.
    bridge._on_core_event(Event(JOURNEY_CHANGED, {"snapshot": {"screen": "attract", "language": "zh-CN"}}))
    qtbot.waitUntil(lambda: bridge.language == "zh-CN")
    assert shown == ["en", "zh-CN"]
    bridge.close()
