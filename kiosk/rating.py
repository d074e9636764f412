"""好差评: the citizen's five-level rating of one service, queued like a submission.

After a submission the done screen offers five levels (非常满意 … 非常不满意) and optional
aspect chips; one touch on a level submits. The rating is a small record with no personal data
(service, level, aspect codes, the receipt number it follows, terminal and time). It is sealed and
stored in the outbox by the outbox writer exactly like a submission, under ``form_id``
:data:`RATING_FORM_ID`, so it survives power loss, travels by the same sync path (and the USB
route), and the platform stores it once by its id. The platform counts ratings by level.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from egov_protocol.protocol import RATING_FORM_ID

from .forms.text import LocalizedText

log = logging.getLogger(__name__)

SCHEMA = "egov-kiosk/rating/1"
RATING_FORM_VERSION = "1"

#: Levels as in the national 好差评 system, 5 best.
LEVELS: dict[int, LocalizedText] = {
    5: LocalizedText("非常满意", "Very satisfied"),
    4: LocalizedText("满意", "Satisfied"),
    3: LocalizedText("基本满意", "Fairly satisfied"),
    2: LocalizedText("不满意", "Dissatisfied"),
    1: LocalizedText("非常不满意", "Very dissatisfied"),
}
#: Optional aspects the citizen may tick before choosing a level (praise or complaint by level).
REASONS: dict[str, LocalizedText] = {
    "operation": LocalizedText("操作", "Ease of use"),
    "waiting": LocalizedText("等候时间", "Waiting time"),
    "guidance": LocalizedText("指引说明", "Guidance"),
    "device": LocalizedText("设备", "The machine"),
    "privacy": LocalizedText("隐私保护", "Privacy"),
}


class RatingRefused(ValueError):
    """The rating is malformed (unknown level or reason) or this session was already rated."""


@dataclass(frozen=True)
class Rating:
    """One rating as it will be sealed; build with :func:`make_rating`."""

    id: str
    service_id: str
    level: int
    reasons: tuple[str, ...]
    receipt_number: str
    rated_at: dt.datetime

    @property
    def outbox_receipt_number(self) -> str:
        """The outbox's unique receipt-number column for this record: the submission's + ``-R``."""
        return f"{self.receipt_number}-R"

    def payload(self, site_code: str, terminal_id: str) -> dict[str, Any]:
        """The JSON object sealed to the platform."""
        return {
            "schema": SCHEMA,
            "submission_id": self.id,
            "receipt_number": self.outbox_receipt_number,
            "rating_of": self.receipt_number,
            "form_id": RATING_FORM_ID,
            "form_version": RATING_FORM_VERSION,
            "service_id": self.service_id,
            "level": self.level,
            "reasons": list(self.reasons),
            "site_code": site_code,
            "terminal_id": terminal_id,
            "rated_at": self.rated_at.isoformat(),
        }


def make_rating(service_id: str, receipt_number: str, level: object, reasons: object,
                now: dt.datetime | None = None) -> Rating:
    """Check what the UI sent and build a :class:`Rating` (any thread; pure).

    ``level`` is 1..5 (QML may send a whole float); ``reasons`` a list of :data:`REASONS` keys,
    duplicates dropped, kept in the order of :data:`REASONS`.
    """
    if isinstance(level, float) and level.is_integer():
        level = int(level)
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
        raise RatingRefused("level must be 1..5")
    picked = list(reasons) if isinstance(reasons, (list, tuple)) else None
    if picked is None or not all(isinstance(r, str) and r in REASONS for r in picked):
        raise RatingRefused("unknown reason code")
    return Rating(
        id=str(uuid.uuid4()),
        service_id=service_id,
        level=level,
        reasons=tuple(r for r in REASONS if r in picked),
        receipt_number=receipt_number,
        rated_at=now or dt.datetime.now(dt.UTC),
    )


def rating_view(language: str, rated_level: int | None) -> dict[str, Any]:
    """What the done screen's rating panel shows: levels best first, reason chips, and whether
    (and how) this session has already rated."""
    return {
        "levels": [{"level": level, "label": text.text(language)} for level, text in LEVELS.items()],
        "reasons": [{"code": code, "label": text.text(language)} for code, text in REASONS.items()],
        "rated": rated_level is not None,
        "rated_level": rated_level,
    }


def seal_rating(rating: Rating, enrollment: Any, site_code: str, terminal_id: str) -> Any:
    """Seal ``rating`` to the platform like a submission: a ``SealedSubmission`` (outbox writer thread).

    ``enrollment`` is the terminal's :class:`~kiosk.enrollment.Enrollment`; raises
    :class:`RatingRefused` when the terminal is not enrolled.
    """
    # Imported here: the screen model imports this module, and sealing loads the crypto stack.
    from egov_protocol.envelope import seal_detached
    from offline_cache import SealedSubmission

    keys = enrollment.platform_keys()
    if keys is None:
        raise RatingRefused("terminal not enrolled")
    payload = rating.payload(site_code, terminal_id)
    sealed, _ = seal_detached(
        json.dumps(payload, ensure_ascii=False, sort_keys=True).encode(), {},
        keys.x25519_public, enrollment.signing_key(), key_id=enrollment.terminal_key_id())
    return SealedSubmission(
        id=rating.id, receipt_number=rating.outbox_receipt_number, service_id=rating.service_id,
        form_id=RATING_FORM_ID, form_version=RATING_FORM_VERSION, sealed=sealed,
        digest=hashlib.sha256(sealed).hexdigest(), created_at=rating.rated_at)


def rate_session(journey: Any, writer: Any, sync: Any, level: object, reasons: object) -> None:
    """Record this session's rating (journey thread): once, on the done screen, after a
    submission. Queued on the outbox writer; the sync worker is woken when it is stored."""
    from .core.journey import JourneyState, TransitionRefused

    session = journey.session
    if journey.state is not JourneyState.DONE or not session.receipt_number or writer is None:
        raise TransitionRefused("nothing to rate")
    if session.extras.get("rating") is not None:
        raise TransitionRefused("this session has already rated")
    journey.touched()
    try:
        rating = make_rating(session.service.id, session.receipt_number, level, reasons)
    except RatingRefused as exc:
        raise TransitionRefused(str(exc)) from None
    session.extras["rating"] = rating.level

    def stored(future: Any) -> None:
        # Runs on the outbox writer thread: log the outcome only (no personal data in it).
        if future.exception() is not None:
            log.warning("rating could not be queued: %s", future.exception())
        elif sync is not None:
            sync.sync_now()

    writer.submit_rating(rating).add_done_callback(stored)
