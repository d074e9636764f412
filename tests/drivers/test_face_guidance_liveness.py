"""Guidance hysteresis and auto-capture; liveness on synthesized landmark and image sequences."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.camera import SimulatedCamera
from drivers.face.detect import FaceDetector
from drivers.face.geometry import Landmarks, yaw_proxy
from drivers.face.guidance import GUIDANCE_CODES, GuidanceTracker
from drivers.face.liveness import (
    CHALLENGES,
    ActiveChallenge,
    LivenessSensor,
    PassiveMonitor,
    liveness_sensors,
    moire_score,
)

# ---- guidance ---------------------------------------------------------------------------------


def test_a_prompt_shows_only_after_it_holds():
    tracker = GuidanceTracker(hold_frames=3, capture_frames=100)
    shown = [tracker.update(code, i / 15).code for i, code in enumerate(
        ["too_far", "too_far", "too_far", "off_centre", "too_far", "off_centre", "off_centre", "off_centre"])]
    assert shown == ["no_face", "no_face", "too_far", "too_far", "too_far", "too_far", "too_far", "off_centre"]


def test_auto_capture_after_good_frames_and_countdown():
    tracker = GuidanceTracker(hold_frames=2, capture_frames=4, countdown_s=1.0)
    states = [tracker.update("ok", i * 0.1) for i in range(30)]
    first_countdown = next(i for i, s in enumerate(states) if s.countdown is not None)
    due = next(i for i, s in enumerate(states) if s.capture_due)
    assert first_countdown == 3  # 4 good frames
    assert states[first_countdown].countdown == 1
    assert due == first_countdown + 10  # one second later at 10 frames/s
    assert not any(s.capture_due for s in states[:due])


def test_a_glitch_delays_but_a_bad_run_cancels_the_countdown():
    tracker = GuidanceTracker(hold_frames=3, capture_frames=2, countdown_s=0.5)
    for i in range(3):
        tracker.update("ok", i * 0.1)
    assert tracker.update("ok", 0.3).countdown is not None
    glitch = tracker.update("hold_still", 0.9)  # past the deadline, but on a bad frame
    assert glitch.countdown == 0 and not glitch.capture_due
    assert tracker.update("ok", 1.0).capture_due
    tracker.reset()
    for i in range(3):
        tracker.update("ok", i * 0.1)
    for i in range(3):
        state = tracker.update("blurred", 1 + i * 0.1)
    assert state.countdown is None and state.code == "blurred"


def test_unknown_codes_and_bad_settings_are_refused():
    with pytest.raises(ValueError):
        GuidanceTracker(hold_frames=0)
    with pytest.raises(ValueError, match="unknown guidance"):
        GuidanceTracker().update("smile", 0)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(GUIDANCE_CODES), min_size=1, max_size=80), st.integers(1, 6))
def test_the_shown_prompt_never_flickers(codes, hold):
    tracker = GuidanceTracker(hold_frames=hold, capture_frames=1000)
    shown = [tracker.update(code, i / 15).code for i, code in enumerate(codes)]
    for i in range(1, len(shown)):
        if shown[i] != shown[i - 1]:
            # A change is always backed by `hold` identical raw codes ending at this frame.
            assert i + 1 >= hold and set(codes[i + 1 - hold : i + 1]) == {shown[i]}


# ---- liveness: landmark sequences -------------------------------------------------------------


def head(yaw: float = 0.0, pitch: float = 0.5, ied: float = 60.0, cx: float = 320, cy: float = 170) -> Landmarks:
    """Five landmarks of a head with the given pose proxies (a synthesized frame)."""
    return Landmarks((cx - ied / 2, cy), (cx + ied / 2, cy), (cx + yaw * ied, cy + pitch * ied),
                     (cx - 0.4 * ied, cy + ied), (cx + 0.4 * ied, cy + ied))


def play(challenge: ActiveChallenge, frames: list[Landmarks | None], fps: float = 15):
    result = None
    for i, marks in enumerate(frames):
        result = challenge.update(marks, i / fps)
    return result


def turn(to: float, frames: int = 12) -> list[Landmarks]:
    still = [head(0.01 * (-1) ** i) for i in range(4)]
    return still + [head(to * (i + 1) / frames) for i in range(frames)] + [head(to)] * 3


@pytest.mark.parametrize("kind, frames", [
    ("turn_left", turn(0.45)),
    ("turn_right", turn(-0.45)),
    ("nod", [head()] * 4 + [head(pitch=0.5 - 0.03 * i) for i in range(10)] + [head(pitch=0.2)] * 3),
])
def test_performed_challenges_pass(kind, frames):
    result = play(ActiveChallenge(kind, 0.0, timeout_s=5), frames)
    assert result.passed is True and result.reasons == (f"challenge_passed:{kind}",)


def test_the_wrong_way_or_nothing_times_out():
    assert play(ActiveChallenge("turn_left", 0.0, timeout_s=2), turn(-0.45) + [head(-0.45)] * 30).passed is False
    result = play(ActiveChallenge("nod", 0.0, timeout_s=2), [head()] * 40)
    assert result.passed is False and result.reasons == ("challenge_timeout:nod",)


def test_a_face_that_leaves_the_picture_does_not_count():
    frames = [head()] * 4 + [None, head(0.5), None, head(0.5), None] * 4
    assert play(ActiveChallenge("turn_left", 0.0, timeout_s=10), frames).passed is None


def test_the_challenge_is_random():
    kinds = {ActiveChallenge.random(0.0, random.Random(seed)).kind for seed in range(30)}
    assert kinds == set(CHALLENGES)
    with pytest.raises(ValueError):
        ActiveChallenge("blink", 0.0)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0.2, 3.0), st.floats(-60, 60), st.floats(-40, 40)), min_size=5, max_size=40))
def test_a_flat_photo_moved_about_never_passes_a_turn(moves):
    """Scaling, moving and squeezing a photo keeps the nose where it is between the eyes."""
    challenge = ActiveChallenge("turn_left", 0.0, timeout_s=100)
    for i, (squeeze, dx, dy) in enumerate(moves):
        flat = head(0.02)
        # A photo turned about its vertical axis: horizontal distances shrink together.
        pts = [(320 + (x - 320) * min(squeeze, 1.0) + dx, y + dy) for x, y in flat.points()]
        challenge.update(Landmarks(*pts), i / 15)
    assert challenge.result.passed is None


def test_a_printed_portrait_turned_in_front_of_the_camera_does_not_turn_the_head():
    """Real images: the portrait squeezed as a photo turned by up to 60°; the yaw proxy stays."""
    camera = SimulatedCamera(fps=1000, approach_s=0)
    camera.open()
    picture = camera.read_frame().pixels
    detector = FaceDetector()
    yaws = []
    for squeeze in (1.0, 0.85, 0.7, 0.5):
        matrix = np.array([[squeeze, 0, 320 * (1 - squeeze)], [0, 1, 0]], dtype=np.float64)
        turned = cv2.warpAffine(picture, matrix, (640, 480), borderValue=(196, 196, 200))
        yaws.append(yaw_proxy(detector.detect(turned)[0].landmarks))
    assert max(abs(y - yaws[0]) for y in yaws) < 0.15  # a real turn moves it by 0.25 or more


# ---- liveness: passive cues -------------------------------------------------------------------


def test_frozen_feed_and_no_micro_motion_are_replay_cues():
    face = np.random.default_rng(1).integers(0, 255, (120, 100), dtype=np.uint8)
    frozen = PassiveMonitor()
    for _ in range(10):
        frozen.update(face, head())
    assert set(frozen.result().reasons) == {"frozen_feed", "no_micro_motion"}
    alive = PassiveMonitor()
    rng = np.random.default_rng(2)
    for _i in range(10):
        alive.update(rng.integers(0, 255, (120, 100), dtype=np.uint8) // 4 + 100,
                     head(cx=320 + rng.normal(0, 1.5), cy=170 + rng.normal(0, 1.5)))
    assert alive.result().passed is True and alive.result().reasons == ()


def test_a_screen_shows_moire():
    camera = SimulatedCamera(fps=1000, approach_s=0)
    camera.open()
    gray = cv2.cvtColor(camera.read_frame().pixels, cv2.COLOR_RGB2GRAY)[90:290, 220:420].astype(np.float32)
    grid = (np.indices(gray.shape).sum(axis=0) % 3 == 0) * 60.0  # a display's pixel grid, photographed
    screen = np.clip(gray * 0.7 + grid, 0, 255).astype(np.uint8)
    assert moire_score(gray.astype(np.uint8)) < 50 < moire_score(cv2.GaussianBlur(screen, (0, 0), 1))
    monitor = PassiveMonitor()
    for i in range(6):
        monitor.update(np.roll(screen, i, axis=1), head(cx=320 + i))
    assert "screen_moire" in monitor.result().reasons


def test_sensor_interface_is_pluggable():
    sensor = liveness_sensors.create("scripted", passed=False, reason="flat_depth")
    assert isinstance(sensor, LivenessSensor)
    verdict = sensor.assess(0.0)
    assert verdict.passed is False and verdict.reasons == ("sensor:flat_depth",)
