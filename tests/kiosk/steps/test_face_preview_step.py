"""The face preview against a fake port and a fake face pipeline: frames, photo, verdict, epochs."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from kiosk import events as ev
from kiosk.core.face_preview import FacePreview
from kiosk.core.journey import JourneyState
from kiosk.face import CapturedPhoto, FrameOutcome

from .conftest import FakeContext, FakeDevice, walk_to

PHOTO = CapturedPhoto(jpeg=b"\xff\xd8face", manual=False, quality_ok=True, metrics={}, liveness={})


class Camera:
    def __init__(self) -> None:
        self.frames = 0

    def read_frame(self, timeout_s: float) -> str:
        self.frames += 1
        return f"frame-{self.frames}"


class Face:
    """Takes the photo on the frame the test names; verifies with a future the test settles."""

    def __init__(self, photo_on_frame: int = 2) -> None:
        self.photo_on_frame = photo_on_frame
        self.seen = 0
        self.verdict: Future[dict[str, Any]] = Future()

    def reset(self) -> None:
        self.seen = 0

    def request_capture(self) -> None:
        self.photo_on_frame = self.seen + 1

    def on_frame(self, frame: Any, now: float) -> FrameOutcome:
        self.seen += 1
        if self.seen == self.photo_on_frame:
            return FrameOutcome(photo=PHOTO)
        return FrameOutcome(view={"guidance": "hold_still"})

    def verify(self, photo: CapturedPhoto, document_photo: bytes | None, reason: str | None) -> Future[dict[str, Any]]:
        return self.verdict


def previewing(ctx: FakeContext, catalog: Any, face: Face) -> tuple[FacePreview, FakeDevice]:
    camera = FakeDevice(Camera(), deferred=True)  # one frame at a time, as the test pumps
    ctx.devices["camera"] = camera
    walk_to(ctx, catalog, "face")
    preview = FacePreview(ctx, face)  # type: ignore[arg-type]  # a fake face pipeline
    preview.start()
    return preview, camera


def test_frames_guide_then_the_photo_is_taken_and_verified(ctx: FakeContext, catalog: Any) -> None:
    face = Face(photo_on_frame=2)
    preview, camera = previewing(ctx, catalog, face)
    camera.pump()
    ctx.run()
    assert preview.latest_frame() == "frame-1" and preview.view == {"guidance": "hold_still"}
    assert ev.PREVIEW_FRAME_UPDATED in ctx.event_names() and ctx.published == 1
    camera.pump()
    ctx.run()
    assert ctx.journey.session.photo_jpeg == PHOTO.jpeg and ev.FACE_CAPTURED in ctx.event_names()
    assert camera.pump() == 0  # the preview stopped with the photo
    face.verdict.set_result({"decision": "matched", "reasons": []})
    ctx.run()
    assert ctx.journey.session.extras["face_verification"]["decision"] == "matched"


def test_a_photo_from_before_a_wipe_is_dropped(ctx: FakeContext, catalog: Any) -> None:
    preview, camera = previewing(ctx, catalog, Face(photo_on_frame=1))
    camera.pump()
    preview.forget()  # wiped while the photo's hand-back was queued
    ctx.run()
    assert ctx.journey.session.photo_jpeg is None and preview.latest_frame() is None


def test_capture_without_a_frame_says_the_camera_is_unavailable(ctx: FakeContext, catalog: Any) -> None:
    preview, _ = previewing(ctx, catalog, Face(photo_on_frame=99))
    preview.capture()
    assert ctx.journey.state is JourneyState.FACE and ctx.journey.session.message == "camera_unavailable"


def test_a_verdict_for_a_retaken_photo_is_dropped(ctx: FakeContext, catalog: Any) -> None:
    face = Face(photo_on_frame=1)
    preview, camera = previewing(ctx, catalog, face)
    camera.pump()
    ctx.run()
    ctx.journey.photo_discarded()
    preview.retake()
    face.verdict.set_result({"decision": "matched", "reasons": []})
    ctx.run()
    assert "face_verification" not in ctx.journey.session.extras
