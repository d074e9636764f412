"""The face step: guidance, automatic capture, liveness flow and staff-review routing."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from PIL import Image

from drivers.camera import SimulatedCamera
from drivers.camera.frame import encode_jpeg
from drivers.common.samples import sample_image_path
from drivers.face.guidance import GUIDANCE_CODES
from kiosk.config import KioskConfig
from kiosk.face import CHALLENGE_TEXT, CapturedPhoto, FaceStep, face_view, verification_record


@pytest.fixture(scope="module")
def demo(offline_terminal):
    """Nothing here is about sync: the core runs without a central server."""
    return offline_terminal


def face_config(**overrides):
    return KioskConfig().with_overrides(face=overrides).face


def run(step: FaceStep, camera: SimulatedCamera, frames: int, fps: float = 15.0):
    """Feed frames at ``fps`` of simulated time; returns the views seen and the photo, if any."""
    views = []
    for i in range(frames):
        outcome = step.on_frame(camera.read_frame(), i / fps)
        if outcome.view is not None:
            views.append(outcome.view)
        if outcome.photo is not None or outcome.error is not None:
            return views, outcome
    return views, None


@pytest.fixture
def camera():
    camera = SimulatedCamera(fps=1000, approach_s=0)
    camera.open()
    yield camera
    camera.close()


@pytest.fixture(scope="module")
def astronaut_jpeg() -> bytes:
    return sample_image_path("astronaut.png").read_bytes()  # PNG: decoders take it as well


def test_guided_to_an_automatic_capture_without_liveness(camera):
    step = FaceStep(face_config(liveness=False, countdown_s=1.0, capture_frames=5))
    try:
        views, outcome = run(step, camera, 120)
        assert outcome is not None and outcome.photo is not None, views
        assert views[0]["guidance"] == "no_face"  # until the first prompt has held
        assert any(v["guidance"] == "ok" and v["countdown"] == 1 for v in views)
        photo = outcome.photo
        assert photo.manual is False and photo.quality_ok
        image = Image.open(io.BytesIO(photo.jpeg))
        assert image.size == (358, 441) and not image.getexif()
        assert photo.liveness["passed"] is None
    finally:
        step.shutdown()


def test_the_approaching_citizen_is_told_to_come_closer():
    camera = SimulatedCamera(fps=15, approach_s=2.0)
    camera.open()
    step = FaceStep(face_config(liveness=False))
    try:
        views, _ = run(step, camera, 20)
        shown = [v["guidance"] for v in views]
        assert "too_far" in shown or "off_centre" in shown
    finally:
        step.shutdown()
        camera.close()


def test_a_covered_lens_says_too_dark(camera):
    step = FaceStep(face_config())
    try:
        camera.script_fault("dark", 10)
        views, outcome = run(step, camera, 10)
        assert outcome is None and views[-1]["guidance"] == "too_dark"
    finally:
        step.shutdown()


def test_liveness_challenge_that_is_not_performed_times_out_then_the_photo_follows(camera):
    step = FaceStep(face_config(liveness=True, liveness_timeout_s=2.0, countdown_s=0.5, capture_frames=3),
                    rng=random.Random(4))
    try:
        views, outcome = run(step, camera, 200)
        challenges = [v for v in views if v["guidance"] == "challenge"]
        assert challenges and challenges[0]["challenge"] in CHALLENGE_TEXT
        assert outcome is not None and outcome.photo is not None
        liveness = outcome.photo.liveness
        assert liveness["passed"] is False
        assert liveness["reasons"][0] == f"challenge_timeout:{challenges[0]['challenge']}"
    finally:
        step.shutdown()


def test_the_button_takes_the_photo_at_once(camera):
    step = FaceStep(face_config())
    try:
        step.on_frame(camera.read_frame(), 0.0)
        step.request_capture()
        outcome = step.on_frame(camera.read_frame(), 0.1)
        assert outcome.photo is not None and outcome.photo.manual
        step.request_capture()
        step.reset()  # a retake forgets a pending request
        assert step.on_frame(camera.read_frame(), 0.2).photo is None
    finally:
        step.shutdown()


def test_the_button_without_a_face_says_so():
    from drivers.camera.frame import Frame

    step = FaceStep(face_config())
    try:
        step.request_capture()
        outcome = step.on_frame(Frame(np.full((480, 640, 3), 190, dtype=np.uint8), 0.0, 0), 0.0)
        assert outcome.error == "face_not_found"
    finally:
        step.shutdown()


def photo_of(camera, live: bool | None, quality_ok: bool = True) -> CapturedPhoto:
    step = FaceStep(face_config())
    try:
        step.on_frame(camera.read_frame(), 0.0)
        step.request_capture()
        jpeg = step.on_frame(camera.read_frame(), 0.1).photo.jpeg
    finally:
        step.shutdown()
    reasons = ["challenge_passed:nod"] if live else ["not_performed"]
    return CapturedPhoto(jpeg, False, quality_ok, {}, {"passed": live, "reasons": reasons})


def test_verified_only_when_matched_and_live(camera, astronaut_jpeg):
    step = FaceStep(face_config())
    try:
        record = step.verify(photo_of(camera, True), astronaut_jpeg, None).result()
        assert record["decision"] == "verified" and record["reasons"] == []
        assert record["match"]["matched"] and record["match"]["backend"] == "dlib"
        record = step.verify(photo_of(camera, None), astronaut_jpeg, None).result()
        assert record["decision"] == "staff_review" and record["reasons"] == ["liveness:not_performed"]
    finally:
        step.shutdown()


def test_no_document_photo_routes_to_staff_review(camera):
    step = FaceStep(face_config())
    try:
        reason = "card photo is WLT-encoded and no WLT decoder is configured"
        record = step.verify(photo_of(camera, True), None, reason).result()
        assert record["decision"] == "staff_review" and record["match"] is None
        assert record["reasons"] == ["no_document_photo: card photo is WLT-encoded and no WLT decoder is configured"]
    finally:
        step.shutdown()


def test_no_matcher_routes_to_staff_review(camera, astronaut_jpeg):
    step = FaceStep(face_config(matcher=""))
    try:
        record = step.verify(photo_of(camera, True), astronaut_jpeg, None).result()
        assert record["decision"] == "staff_review" and record["reasons"] == ["no_matcher_configured"]
    finally:
        step.shutdown()


def test_another_person_routes_to_staff_review(camera):
    cameraman = sample_image_path("camera.png").read_bytes()
    step = FaceStep(face_config())
    try:
        record = step.verify(photo_of(camera, True), cameraman, None).result()
        assert record["decision"] == "staff_review" and record["reasons"] == ["face_mismatch"]
        assert record["match"]["score"] > record["match"]["threshold"]
    finally:
        step.shutdown()


def test_an_undecodable_document_photo_is_a_reason_not_a_crash(camera):
    step = FaceStep(face_config())
    try:
        record = step.verify(photo_of(camera, True), b"\x00WLT" * 300, None).result()
        assert record["reasons"] == ["match_unavailable:document_photo_undecodable"]
    finally:
        step.shutdown()


def test_record_lists_every_reason():
    photo = CapturedPhoto(b"", True, False, {}, {"passed": False, "reasons": ["frozen_feed"]})
    record = verification_record(photo, {"matched": False}, None)
    assert record["reasons"] == ["face_mismatch", "liveness:frozen_feed", "photo_quality_below_limits"]
    assert record["capture"] == "manual"


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_prompt_has_words(language):
    for code in (*GUIDANCE_CODES, "challenge"):
        assert face_view({"guidance": code}, None, language)["guidance_text"]
    view = face_view({"guidance": "challenge", "challenge": "nod"},
                     {"decision": "staff_review", "reasons": ["x"]}, language)
    assert view["challenge_text"] and view["review_note"] and view["verification"]["decision"] == "staff_review"
    assert face_view({}, {"decision": "verified", "reasons": []}, language)["review_note"] == ""


def test_jpeg_of_the_photo_has_no_metadata(camera):
    jpeg = photo_of(camera, True).jpeg
    assert b"Exif" not in jpeg and encode_jpeg(np.zeros((4, 4, 3), dtype=np.uint8))[:2] == b"\xff\xd8"


# ---- the face step inside the running core ---------------------------------------------------


def walk_to_face(driver, document: str) -> None:
    core = driver.core
    core.choose_service("residence_permit")
    driver.wait_screen("notice")
    core.accept_notice()
    driver.wait_screen("identify")
    core.present_demo_document(document)
    driver.wait_screen("face")


@pytest.mark.parametrize("document, reasons", [
    ("resident_id", ["liveness:not_performed"]),
    ("hmt_permit", ["no_document_photo: card photo is WLT-encoded and no WLT decoder is configured",
                    "liveness:not_performed"]),
])
def test_core_guides_to_an_automatic_photo_and_records_why_staff_review(start_core, demo, document, reasons):
    reader = demo.config.to_dict()["devices"]["id_reader"]
    reader["options"]["documents"] = ["resident_id", "hmt_permit"]
    config = demo.config.with_overrides(
        journey={"document_wait_s": 0.2}, face={"liveness": False, "countdown_s": 0.5}, devices={"id_reader": reader})
    driver = start_core(config)
    walk_to_face(driver, document)
    guided = driver.wait_for(lambda s: s["face"].get("guidance") not in (None, "no_face"))
    assert guided["face"]["guidance_text"]
    # Nobody touches "Take photo": the photo is taken by itself.
    driver.wait_for(lambda s: s["has_photo"])
    done = driver.wait_for(lambda s: s["face"].get("verification") is not None)
    verification = done["face"]["verification"]
    assert verification == {"decision": "staff_review", "reasons": reasons}
    assert done["face"]["review_note"]
    assert "face_captured" in driver.event_names()
    # A retake forgets the verdict and guides again.
    driver.core.retake_photo()
    again = driver.wait_for(lambda s: not s["has_photo"])
    assert again["face"].get("verification") is None
    driver.core.finish()
    after = driver.wait_screen("attract")
    assert after["face"]["verification"] is None and after["face"]["guidance"] == "no_face"
