"""The storing step of the journey: the confirmed form becomes a sealed submission, then a receipt.

Runs on the core's journey thread; sealing and the durable write run on the outbox writer's
thread (:class:`~kiosk.submission.SubmissionWriter`), whose answer comes back through
``KioskCore._post``. A refusal (disk budget, not enrolled) or a failure leaves nothing stored and
tells the citizen on the review screen; success queues the submission for sync, starts printing
and moves on.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING

from . import events as ev
from .applicant import applicant_record
from .face import pending_record
from .safe_log import log_exception

if TYPE_CHECKING:
    from .core import KioskCore
    from .submission import Accepted

log = logging.getLogger(__name__)


class StoreStep:
    """Turns the session into a :class:`~kiosk.submission.Draft` and stores it."""

    def __init__(self, core: KioskCore) -> None:
        """``core`` gives the journey, the writer, sync and printing (journey thread)."""
        self._core = core

    def start(self) -> None:
        """The citizen confirmed the review: hand the draft to the outbox writer (journey thread)."""
        from .submission import Draft

        core = self._core
        session = core._journey.session
        photos = {"face.jpg": session.photo_jpeg}
        if session.identity.photo_jpeg:
            photos["document_photo.jpg"] = session.identity.photo_jpeg
        definition = session.form_definition
        draft = Draft(
            service_id=session.service.id,
            form_id=definition.id,
            form_version=definition.version,
            language=core.language,
            applicant={
                **applicant_record(session.identity),
                # 人证核验 outcome; "staff_review" with reasons unless matched and live.
                "identity_verification": session.extras.get("face_verification") or pending_record(),
            },
            answers=session.form.answers(),
            photos=photos,
            receipt=core._printing.receipt_factory(),
        )
        future = core._writer.submit(draft)
        future.add_done_callback(lambda f: core._post(lambda: self._stored(f), changed=False))

    def _stored(self, future: Future[Accepted]) -> None:
        from .submission import SubmissionRefused

        core = self._core
        journey = core._journey
        try:
            accepted = future.result()
        except SubmissionRefused as exc:
            log.warning("submission refused: %s", exc.code)
            journey.submission_failed(exc.code)
            core._publish_snapshot()
            return
        except Exception:
            log_exception(log, "submission could not be stored")
            journey.submission_failed("submission_failed")
            core._publish_snapshot()
            return
        journey.submission_queued(accepted.receipt_number)
        core.events.publish(ev.SUBMISSION_QUEUED, receipt_number=accepted.receipt_number)
        core._sync.sync_now()
        core._printing.start(accepted)
        core._publish_snapshot()
