"""The face package's contracts, over every backend of its two registries: every matcher compares a
face with itself as the same person and says why it cannot compare a blank picture; every
liveness sensor answers with a verdict and its reasons. The package keeps to its place: OpenCV
only here and in drivers.camera, and importing it loads nothing heavy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from drivers.camera import SimulatedCamera
from drivers.face.analysis import FaceAnalyzer, id_photo_jpeg
from drivers.face.liveness import LivenessResult, LivenessSensor, liveness_sensors
from drivers.face.matcher import (
    FaceMatcher,
    MatchResult,
    MatchUnavailable,
    decode_photo,
    matcher_backends,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def portrait() -> np.ndarray:
    """The ID photo the kiosk makes of the simulated camera's citizen, as RGB pixels."""
    camera = SimulatedCamera(fps=1000, approach_s=0)
    camera.open()
    try:
        frame = camera.read_frame()
    finally:
        camera.close()
    face = FaceAnalyzer().analyze(frame).face
    return decode_photo(id_photo_jpeg(frame.pixels, face))


@pytest.mark.parametrize("name", matcher_backends.names())
def test_every_matcher_knows_a_face_from_no_face(name, portrait):
    matcher = matcher_backends.create(name)
    assert isinstance(matcher, FaceMatcher) and matcher.name == name
    matcher.load()
    matcher.load()  # loading twice is harmless
    result = matcher.compare(portrait, portrait.copy())
    assert isinstance(result, MatchResult) and result.backend == name and result.matched
    assert set(result.as_dict()) == {"backend", "score", "threshold", "matched"}
    with pytest.raises(MatchUnavailable) as info:
        matcher.compare(np.full((240, 320, 3), 128, np.uint8), portrait)
    assert info.value.reason  # says why, in a word fit for a record


@pytest.mark.parametrize("name", liveness_sensors.names())
def test_every_liveness_sensor_answers_with_reasons(name):
    sensor = liveness_sensors.create(name)
    assert isinstance(sensor, LivenessSensor)
    result = sensor.assess(0.0)
    assert isinstance(result, LivenessResult) and result.reasons


def test_importing_the_face_package_loads_no_opencv():
    code = "import sys, drivers.face; assert 'cv2' not in sys.modules, 'cv2'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
