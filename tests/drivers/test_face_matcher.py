"""1:1 matching with the default dlib backend on portraits that registry packages ship.

Same person: scikit-image's astronaut portrait against the kiosk's own ID photo of it, a
WLT-size (102×126) document photo and a grey copy. Different people: the astronaut against
scikit-image's cameraman. Both are public-domain photographs.
"""

from __future__ import annotations

import contextlib

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.camera import SimulatedCamera
from drivers.camera.frame import Frame, encode_jpeg
from drivers.common.samples import sample_image_path
from drivers.face.analysis import FaceAnalyzer, id_photo_jpeg
from drivers.face.matcher import (
    FaceMatcher,
    MatchResult,
    MatchUnavailable,
    decode_photo,
    matcher_backends,
)


def load(name: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(sample_image_path(name))), cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def matcher() -> FaceMatcher:
    matcher = matcher_backends.create("dlib", threshold=0.6)
    matcher.load()
    return matcher


@pytest.fixture(scope="module")
def live_photo() -> np.ndarray:
    """The ID photo the kiosk makes of the simulated camera's citizen, decoded from its JPEG."""
    camera = SimulatedCamera(fps=1000, approach_s=0)
    camera.open()
    frame = camera.read_frame()
    face = FaceAnalyzer().analyze(frame).face
    return decode_photo(id_photo_jpeg(frame.pixels, face))


def wlt_size(rgb: np.ndarray) -> bytes:
    """A document photo as a card chip holds it: 102×126 px, JPEG."""
    crop = rgb[30:330, 110:350]
    return encode_jpeg(np.ascontiguousarray(cv2.resize(crop, (102, 126), interpolation=cv2.INTER_AREA)), 80)


def test_same_person_matches(matcher, live_photo):
    astronaut = load("astronaut.png")
    for document in (decode_photo(wlt_size(astronaut)), astronaut,
                     cv2.cvtColor(cv2.cvtColor(astronaut, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)):
        result = matcher.compare(live_photo, document)
        assert isinstance(result, MatchResult) and result.matched, result
        assert result.score < 0.4 and result.higher_is_same is False


def test_different_people_do_not_match(matcher, live_photo):
    cameraman = load("camera.png")
    result = matcher.compare(live_photo, cameraman)
    assert not result.matched and result.score > 0.7
    assert result.as_dict() == {"backend": "dlib", "score": round(result.score, 4), "threshold": 0.6, "matched": False}


def test_no_face_in_the_live_photo_is_unavailable(matcher):
    with pytest.raises(MatchUnavailable, match="no_face_in_live_photo"):
        matcher.compare(np.full((441, 358, 3), 200, dtype=np.uint8), load("astronaut.png"))


def test_bad_threshold_and_unknown_backend():
    with pytest.raises(ValueError):
        matcher_backends.create("dlib", threshold=5)
    with pytest.raises(ValueError, match="known backends: dlib"):
        matcher_backends.create("sface")


def test_document_photos_decode_or_say_why():
    pixels = np.zeros((126, 102, 3), dtype=np.uint8)
    pixels[..., 0] = 200
    assert decode_photo(encode_jpeg(Frame(pixels, 0, 0)))[60, 50, 0] > 150
    _ok, png = cv2.imencode(".png", pixels)
    assert decode_photo(png.tobytes()).shape == (126, 102, 3)
    with pytest.raises(MatchUnavailable, match="document_photo_empty"):
        decode_photo(b"")
    with pytest.raises(MatchUnavailable, match="document_photo_undecodable"):
        decode_photo(b"WLT\x00" + bytes(1024))


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=1, max_size=2048))
def test_decode_photo_never_crashes_on_outside_bytes(data):
    try:
        rgb = decode_photo(data)
    except MatchUnavailable as exc:
        assert exc.reason in ("document_photo_undecodable", "document_photo_empty")
    else:
        assert rgb.ndim == 3 and rgb.shape[2] == 3


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2000), st.binary(min_size=1, max_size=64))
def test_a_truncated_or_corrupted_jpeg_is_refused_or_decoded(cut, noise):
    data = bytearray(encode_jpeg(np.full((60, 50, 3), 128, dtype=np.uint8)))
    data[cut % len(data) : cut % len(data) + len(noise)] = noise
    with contextlib.suppress(MatchUnavailable):
        decode_photo(bytes(data[: max(1, cut)]))
