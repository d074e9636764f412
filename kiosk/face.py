"""The face step: guidance over the live preview, automatic capture, liveness and the 1:1 match.

Threads: :meth:`FaceStep.on_frame` and :meth:`FaceStep.request_capture`'s work run on the
camera's owner thread (every frame is analysed there, right after it is read, so no frame is
copied to another thread); the match runs on the ``face-match`` worker; the journey thread
reads the results from the :class:`FrameOutcome` and the match future. Image libraries are
imported on those threads on first use, never on the GUI thread's start-up path.

What the step decides is recorded as a verification record (:func:`verification_record`):
``decision`` is ``"verified"`` only when the live face matched the document photo *and* the
liveness check passed; anything else — no matcher, no document photo, mismatch, liveness not
passed, a manual photo that missed the quality limits — is ``"staff_review"`` (人工复核) with
the reasons. The record holds scores and codes only, never images.
"""

from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drivers.common import OwnerThread

if TYPE_CHECKING:
    from drivers.camera.frame import Frame
    from drivers.face.analysis import FaceAnalyzer, FrameAnalysis
    from drivers.face.guidance import GuidanceTracker
    from drivers.face.liveness import ActiveChallenge, LivenessSensor, PassiveMonitor
    from drivers.face.matcher import FaceMatcher

    from .config import FaceConfig

log = logging.getLogger(__name__)


#: What the screen (and later the speech output) says for each guidance code.
GUIDANCE_TEXT: dict[str, dict[str, str]] = {
    "no_face": {"zh-CN": "请面向摄像头", "en": "Please look at the camera"},
    "several_faces": {"zh-CN": "请确保画面中只有您一人", "en": "Only one person in the picture, please"},
    "too_far": {"zh-CN": "请靠近一些", "en": "Please come a little closer"},
    "too_close": {"zh-CN": "请稍微后退", "en": "Please move back a little"},
    "off_centre": {"zh-CN": "请将面部移到椭圆框中央", "en": "Please move your face to the middle of the oval"},
    "turn_to_camera": {"zh-CN": "请正对摄像头，不要歪头", "en": "Please face the camera straight on"},
    "too_dark": {"zh-CN": "光线太暗", "en": "It is too dark"},
    "too_bright": {"zh-CN": "光线太亮", "en": "It is too bright"},
    "uneven_light": {"zh-CN": "面部光线不均匀", "en": "The light on your face is uneven"},
    "blurred": {"zh-CN": "画面模糊，请保持不动", "en": "The picture is blurred: please keep still"},
    "busy_background": {"zh-CN": "背景过于杂乱", "en": "The background is too busy"},
    "hold_still": {"zh-CN": "请保持不动", "en": "Please hold still"},
    "ok": {"zh-CN": "很好，请保持", "en": "Good, stay like that"},
    "challenge": {"zh-CN": "请按提示动作", "en": "Please follow the prompt"},
}

#: Liveness prompts, in the citizen's own left and right.
CHALLENGE_TEXT: dict[str, dict[str, str]] = {
    "turn_left": {"zh-CN": "请向左转头", "en": "Please turn your head to your left"},
    "turn_right": {"zh-CN": "请向右转头", "en": "Please turn your head to your right"},
    "nod": {"zh-CN": "请点头", "en": "Please nod"},
}


#: Shown under the photo when the application goes to staff review (人工复核).
REVIEW_NOTE = {
    "zh-CN": "您的照片将由工作人员与证件进行人工复核。",
    "en": "A member of staff will check your photo against your document.",
}


def face_view(view: dict[str, Any], verification: dict[str, Any] | None, language: str) -> dict[str, Any]:
    """The ``face`` part of the screen model: guidance code and text, countdown, challenge."""
    code = view.get("guidance") or "no_face"
    challenge = view.get("challenge")
    return {
        "guidance": code,
        "guidance_text": GUIDANCE_TEXT[code][language],
        "countdown": view.get("countdown"),
        "challenge": challenge,
        "challenge_text": CHALLENGE_TEXT[challenge][language] if challenge else "",
        "good": code == "ok",
        "review_note": REVIEW_NOTE[language] if verification and verification["decision"] == "staff_review" else "",
        "verification": None if verification is None else {
            "decision": verification["decision"], "reasons": list(verification["reasons"])},
    }


@dataclass(frozen=True)
class CapturedPhoto:
    """The ID photo (JPEG, no metadata) and what was known about it when it was taken."""

    jpeg: bytes
    manual: bool
    quality_ok: bool
    metrics: dict[str, float]
    liveness: dict[str, Any]


@dataclass(frozen=True)
class FrameOutcome:
    """What one analysed frame changes: the face view for the screen (when it changed), and a
    photo (when one was taken on this frame), or a capture ``error`` code."""

    view: dict[str, Any] | None = None
    photo: CapturedPhoto | None = None
    error: str | None = None


@dataclass
class _Liveness:
    challenge: ActiveChallenge | None = None
    passive: PassiveMonitor | None = None
    result: dict[str, Any] = field(default_factory=lambda: {"passed": None, "reasons": ["not_performed"]})


class FaceStep:
    """Per-terminal face pipeline; :meth:`reset` starts it over for the next preview."""

    def __init__(self, config: FaceConfig, *, rng: random.Random | None = None) -> None:
        self.config = config
        self._rng = rng or random.SystemRandom()
        self._analyzer: FaceAnalyzer | None = None
        self._tracker: GuidanceTracker | None = None
        self._sensor: LivenessSensor | None = None
        self._live = _Liveness()
        self._view: dict[str, Any] = {}
        self._capture_requested = threading.Event()
        self._reset_requested = threading.Event()
        self._best: FrameAnalysis | None = None
        self._matcher: FaceMatcher | None = None
        self._matcher_problem: str | None = None
        self._worker = OwnerThread("face-match")

    # ---- any thread -------------------------------------------------------------------------
    def reset(self) -> None:
        """Start over on the next frame (a new citizen, or a retake). Any thread."""
        self._capture_requested.clear()
        self._reset_requested.set()

    def request_capture(self) -> None:
        """Take the photo on the next frame whatever the guidance says (the citizen's button)."""
        self._capture_requested.set()

    def shutdown(self) -> None:
        """Stop the match worker (waits for a running comparison)."""
        self._worker.stop(wait=True, cancel_pending=False)

    # ---- camera owner thread ----------------------------------------------------------------
    def on_frame(self, frame: Frame, now: float) -> FrameOutcome:
        """Analyse one frame: guidance, liveness, and the photo when it is due (owner thread)."""
        self._ensure_pipeline()
        assert self._analyzer is not None and self._tracker is not None
        if self._reset_requested.is_set():
            self._reset_requested.clear()
            self._analyzer.reset()
            self._tracker.reset()
            self._live = _Liveness()
            self._best = None
            self._view = {}
        analysis = self._analyzer.analyze(frame)
        if analysis.good:
            self._best = analysis
        if self._capture_requested.is_set():
            self._capture_requested.clear()
            return self._take(analysis, manual=True)
        challenge = None
        if self.config.liveness and (self._live.challenge is not None or self._tracker.shown == "ok"):
            challenge = self._liveness_step(analysis, now)
        if challenge is not None:
            # A running challenge replaces the guidance; the photo waits until it is decided.
            view = {"guidance": "challenge", "countdown": None, "challenge": challenge, "faces": len(analysis.faces)}
        else:
            state = self._tracker.update(analysis.code, now)
            if state.capture_due:
                return self._take(self._best or analysis, manual=False)
            view = {"guidance": state.code, "countdown": state.countdown, "challenge": None,
                    "faces": len(analysis.faces)}
        if view != self._view:
            self._view = view
            return FrameOutcome(view=dict(view))
        return FrameOutcome()

    def _ensure_pipeline(self) -> None:
        if self._analyzer is not None:
            return
        from drivers.face.analysis import FaceAnalyzer
        from drivers.face.guidance import GuidanceTracker
        from drivers.face.liveness import liveness_sensors

        cfg = self.config
        self._analyzer = FaceAnalyzer(thresholds(cfg), cfg.detect_width)
        self._tracker = GuidanceTracker(cfg.hold_frames, cfg.capture_frames, cfg.countdown_s)
        if cfg.liveness_sensor:
            self._sensor = liveness_sensors.create(cfg.liveness_sensor)

    def _liveness_step(self, analysis: FrameAnalysis, now: float) -> str | None:
        """Run the challenge; returns its kind while it is undecided, else None."""
        from drivers.face.liveness import ActiveChallenge, PassiveMonitor

        live = self._live
        if live.challenge is None:
            if live.result["passed"] is not None:
                return None  # decided for this citizen
            live.challenge = ActiveChallenge.random(now, self._rng, timeout_s=self.config.liveness_timeout_s)
            live.passive = PassiveMonitor()
        assert live.passive is not None
        marks = analysis.face.landmarks if analysis.face is not None else None
        result = live.challenge.update(marks, now)
        live.passive.update(_face_gray(analysis), marks)
        if result.passed is None:
            return live.challenge.kind
        passive = live.passive.result()
        reasons = list(result.reasons) + list(passive.reasons)
        passed = bool(result.passed and passive.passed)
        if self._sensor is not None:
            verdict = self._sensor.assess(now)
            reasons.extend(verdict.reasons)
            passed = passed and bool(verdict.passed)
        live.result = {"passed": passed, "reasons": reasons}
        live.challenge = None
        assert self._tracker is not None
        self._tracker.reset()  # back to frontal before the photo
        log.info("liveness %s: %s", "passed" if passed else "failed", ", ".join(reasons))
        return None

    def _take(self, analysis: FrameAnalysis, manual: bool) -> FrameOutcome:
        from drivers.face.analysis import id_photo_jpeg

        face = analysis.face
        if face is None:
            return FrameOutcome(error="face_not_found")
        jpeg = id_photo_jpeg(analysis.frame.pixels, face, self.config.jpeg_quality)
        metrics = analysis.metrics.as_dict() if analysis.metrics is not None else {}
        liveness = dict(self._live.result)
        if self._live.challenge is not None:
            liveness = {"passed": False, "reasons": [f"challenge_interrupted:{self._live.challenge.kind}"]}
        photo = CapturedPhoto(jpeg, manual, analysis.good, metrics, liveness)
        self._view = {}
        return FrameOutcome(photo=photo)

    # ---- matching (face-match worker) -------------------------------------------------------
    def verify(self, photo: CapturedPhoto, document_photo: bytes | None,
               document_reason: str | None) -> Future[dict[str, Any]]:
        """Compare the photo with the document photo on the worker; the future gives the record."""
        return self._worker.submit(self._verify, photo, document_photo, document_reason)

    def _verify(self, photo: CapturedPhoto, document_photo: bytes | None,
                document_reason: str | None) -> dict[str, Any]:
        match: dict[str, Any] | None = None
        problem: str | None = None
        if document_photo is None:
            problem = "no_document_photo" + (f": {document_reason}" if document_reason else "")
        else:
            matcher = self._load_matcher()
            if matcher is None:
                problem = self._matcher_problem
            else:
                from drivers.face.matcher import MatchUnavailable, decode_photo

                try:
                    result = matcher.compare(decode_photo(photo.jpeg), decode_photo(document_photo))
                    match = result.as_dict()
                except MatchUnavailable as exc:
                    problem = f"match_unavailable:{exc.reason}"
        return verification_record(photo, match, problem)

    def _load_matcher(self) -> FaceMatcher | None:
        if self._matcher is not None or self._matcher_problem is not None:
            return self._matcher
        if not self.config.matcher:
            self._matcher_problem = "no_matcher_configured"
            return None
        from drivers.face.matcher import MatchUnavailable, matcher_backends

        try:
            matcher = matcher_backends.create(self.config.matcher, threshold=self.config.match_threshold)
            matcher.load()
        except MatchUnavailable as exc:
            self._matcher_problem = f"matcher_unavailable:{exc.reason}"
            log.warning("face matcher %s unavailable: %s", self.config.matcher, exc.reason)
            return None
        self._matcher = matcher
        return matcher


def verification_record(photo: CapturedPhoto, match: dict[str, Any] | None, problem: str | None) -> dict[str, Any]:
    """The decision with its reasons: "verified" only when matched and live, else "staff_review"."""
    reasons: list[str] = []
    if match is None:
        reasons.append(problem or "not_compared")
    elif not match["matched"]:
        reasons.append("face_mismatch")
    if photo.liveness.get("passed") is not True:
        reasons.extend(f"liveness:{reason}" for reason in photo.liveness.get("reasons") or ["not_performed"])
    if not photo.quality_ok:
        reasons.append("photo_quality_below_limits")
    return {
        "decision": "staff_review" if reasons else "verified",
        "reasons": reasons,
        "match": match,
        "liveness": photo.liveness,
        "capture": "manual" if photo.manual else "automatic",
        "quality": photo.metrics,
    }


def pending_record() -> dict[str, Any]:
    """The record of a submission made before the comparison finished: staff review, never a pass."""
    return {"decision": "staff_review", "reasons": ["verification_incomplete"], "match": None}


def thresholds(cfg: FaceConfig) -> Any:
    """The quality limits from the ``[face]`` configuration (camera owner thread)."""
    from drivers.face.quality import QualityThresholds

    return QualityThresholds(
        min_eye_distance_px=cfg.min_eye_distance_px,
        min_face_height_ratio=cfg.min_face_height_ratio,
        max_face_height_ratio=cfg.max_face_height_ratio,
        max_centre_offset=cfg.max_centre_offset,
        max_roll_deg=cfg.max_roll_deg,
        max_yaw=cfg.max_yaw,
        min_sharpness=cfg.min_sharpness,
        min_brightness=cfg.min_brightness,
        max_brightness=cfg.max_brightness,
        min_lr_balance=cfg.min_lr_balance,
        max_background_std=cfg.max_background_std,
        max_motion=cfg.max_motion,
    )


def _face_gray(analysis: FrameAnalysis) -> Any:
    """The face box of the frame in grey-ish form (green channel: cheap and close to luma)."""
    face = analysis.face
    if face is None:
        return None
    x, y, w, h = (int(v) for v in face.box)
    pixels = analysis.frame.pixels
    return pixels[max(y, 0) : max(y + h, 0), max(x, 0) : max(x + w, 0), 1]
