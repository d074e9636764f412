"""The document camera family's own verbs, over every backend with a far end, and its page processing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.camera.frame import Frame
from drivers.doccam import PresentsPages, document_camera_backends
from drivers.doccam.encode import MAX_PAGE_BYTES, encode_page
from drivers.doccam.page import A4_150DPI, GUIDANCE, check_quality, detect_page, guidance, rectify
from drivers.doccam.scene import desk, lay_page, render_form, resting_quad
from drivers.doccam.steady import SteadyCapture
from tests.drivers.backend_rigs import built_backend, present_backends


@pytest.fixture(params=present_backends("document_camera"))
def camera(request, tmp_path) -> Iterator[Any]:
    _rig, driver = next(built := built_backend(request, "document_camera", tmp_path))
    driver.open()
    yield driver
    next(built, None)


def test_frames_are_rgb_and_counted(camera):
    first, second = camera.read_frame(5.0), camera.read_frame(5.0)
    assert isinstance(first, Frame) and first.pixels.shape[2] == 3
    assert second.index == first.index + 1
    assert camera.info().family == "document_camera"


def _scan(camera: Any, frames: int = 30) -> list[tuple[str, bool, Any, Any]]:
    """Guidance, capture decision, detection and frame for each of ``frames`` frames."""
    steady = SteadyCapture(frames=4)
    seen = []
    for _ in range(frames):
        frame = camera.read_frame(5.0)
        found = detect_page(frame.pixels)
        captured = steady.update(found)
        seen.append((guidance(found, steady.steady), captured, found, frame))
    return seen


def _simulated(**options: Any) -> Any:
    camera = document_camera_backends.create("simulated", fps=1000, width=1600, height=1200, **options)
    camera.open()
    return camera


def test_a_page_moves_in_is_held_still_and_is_captured_once():
    camera = _simulated(move_frames=6, hold_frames=20)
    seen = _scan(camera, 24)
    words = [g for g, *_ in seen]
    assert words[0] == "move_into_frame"
    assert "hold_still" in words and words[-1] == "ok"
    assert words.index("move_into_frame") < words.index("hold_still") < words.index("ok")
    captures = [i for i, (_, captured, *_rest) in enumerate(seen) if captured]
    assert len(captures) == 1
    _g, _c, found, frame = seen[captures[0]]
    page = rectify(frame.pixels, found.quad, A4_150DPI)
    assert page.shape == (1754, 1240, 3)
    assert len(encode_page(page)) <= MAX_PAGE_BYTES
    quality = check_quality(page, found, min_dpi=90)
    assert quality.ok, quality


def test_the_desk_without_a_page_says_no_page_and_the_next_sheet_arrives():
    camera = _simulated(move_frames=2, hold_frames=2)
    words = [g for g, *_ in _scan(camera, 14)]
    assert "no_page" in words
    after = words[words.index("no_page"):]
    assert next(word for word in after if word != "no_page") == "move_into_frame"


def test_present_page_slides_a_new_sheet_in():
    camera = _simulated(move_frames=4, hold_frames=50)
    assert isinstance(camera, PresentsPages)
    _scan(camera, 8)
    camera.present_page("clean")
    assert _scan(camera, 1)[0][0] == "move_into_frame"
    with pytest.raises(ValueError):
        camera.present_page("coffee-stain")


@pytest.mark.parametrize(("variant", "problem"), [("glare", "too_much_glare"), ("blur", "blurred")])
def test_glare_and_blur_fail_the_quality_checks(variant, problem):
    camera = _simulated(move_frames=1, hold_frames=5, variants=[variant])
    guidance_word, _c, found, frame = _scan(camera, 3)[-1]
    quality = check_quality(rectify(frame.pixels, found.quad), found)
    assert problem in quality.problems
    if variant == "glare":
        assert guidance_word == "too_much_glare"


def test_a_page_seen_small_is_low_resolution():
    camera = _simulated(move_frames=1, hold_frames=5)
    _g, _c, found, frame = _scan(camera, 3)[-1]
    assert "low_resolution" in check_quality(rectify(frame.pixels, found.quad), found, min_dpi=140).problems


def test_rectification_undoes_the_perspective():
    page = render_form(0)
    quad = resting_quad(1600, 1200, fill=0.8, angle_deg=7, keystone=0.05)
    photo = lay_page(desk(1600, 1200), page, quad)
    found = detect_page(photo)
    assert found is not None and not found.touches_edge
    assert np.max(np.linalg.norm(found.quad - quad, axis=1)) < 12
    flat = rectify(photo, found.quad, (620, 877))
    expected = (render_form(0)[::2, ::2].astype(np.float32) * 0.93)[:877, :620]
    assert np.mean(np.abs(flat.astype(np.float32) - expected)) < 20


def test_encoding_respects_format_colour_and_size():
    page = render_form(1)
    grey = encode_page(page)
    colour = encode_page(page, colour=True, image_format="webp")
    assert grey[:2] == b"\xff\xd8" and colour[8:12] == b"WEBP"
    with pytest.raises(ValueError):
        encode_page(page, image_format="bmp")
    with pytest.raises(ValueError):
        encode_page(page, max_bytes=100)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(8, 120), st.integers(8, 120), st.binary(min_size=1, max_size=64))
def test_any_picture_gives_a_detection_or_none_and_a_guidance(width, height, noise):
    rng = np.random.default_rng(list(noise))
    pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    found = detect_page(pixels)
    assert guidance(found, steady=True) in GUIDANCE
    if found is not None:
        assert found.quad.shape == (4, 2)
        assert 0.0 <= found.glare_fraction <= 1.0


def test_steady_capture_options_are_checked():
    with pytest.raises(ValueError):
        SteadyCapture(frames=0)
    with pytest.raises(ValueError):
        SteadyCapture(tolerance=0)
