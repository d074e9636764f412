"""The camera preview loop: one frame at a time on the owner thread, the newest kept, failures
survived, stopped and cleared on request."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kiosk.frame_pump import FramePump


class ScriptedCamera:
    """Frames 1, 2, 3, …; the reads listed in ``failing`` raise instead."""

    def __init__(self, failing: set[int] | None = None) -> None:
        self.reads = 0
        self.failing = failing or set()

    def read_frame(self, timeout: float) -> int:
        self.reads += 1
        if self.reads in self.failing:
            raise OSError("no frame")
        return self.reads


def test_frames_flow_until_stopped_and_a_failed_read_does_not_end_the_preview() -> None:
    camera = ScriptedCamera(failing={2})
    owner = ThreadPoolExecutor(max_workers=1)  # the camera's owner thread
    seen: list[Any] = []
    five = threading.Event()

    def on_frame(frame: Any) -> None:
        seen.append((frame, threading.current_thread().name))
        if len(seen) == 5:
            pump.stop()
            five.set()

    pump = FramePump(lambda step: owner.submit(step, camera), on_frame, name="test camera")
    assert pump.start() and not pump.start()  # a second start changes nothing
    assert five.wait(10)
    owner.shutdown(wait=True)
    assert [frame for frame, _ in seen] == [1, 3, 4, 5, 6]  # read 2 failed and was skipped
    assert {thread for _, thread in seen} != {threading.current_thread().name}
    assert not pump.running and pump.latest() == 6
    pump.clear()
    assert pump.latest() is None


def test_nothing_is_read_once_told_to_stop_going() -> None:
    camera = ScriptedCamera()
    owner = ThreadPoolExecutor(max_workers=1)
    pump = FramePump(lambda step: owner.submit(step, camera), lambda frame: None, keep_going=lambda: False)
    pump.start()
    owner.shutdown(wait=True)
    assert camera.reads == 0 and pump.latest() is None
