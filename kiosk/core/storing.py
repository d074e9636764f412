"""The storing step of the journey: the confirmed form becomes a sealed submission, then a receipt.

Runs on the core's journey thread; sealing and the durable write run on the outbox writer's
thread (:class:`~kiosk.submission.SubmissionWriter`), whose answer comes back through the port's
``post``. A refusal (disk budget, not enrolled) or a failure leaves nothing stored and
tells the citizen on the review screen; success is reported to the core as a hand-off
(``submission_stored``), which nudges sync and starts printing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from egov_protocol.identity_proof import LEGACY_PROOF, PROOF_FIELD

from .. import events as ev
from ..applicant import applicant_record
from ..face import pending_record
from ..safe_log import log_exception

if TYPE_CHECKING:
    from ..submission import Accepted, SubmissionWriter
    from .port import StepContext

log = logging.getLogger(__name__)


class StoreStep:
    """Turns the session into a :class:`~kiosk.submission.Draft` and stores it."""

    def __init__(self, ctx: StepContext, writer: Callable[[], SubmissionWriter],
                 receipt_factory: Callable[[], Callable[[str, Any, str], Any]]) -> None:
        """``ctx`` gives the journey; ``writer()`` the outbox writer; ``receipt_factory()`` the
        receipt builder for the citizen at the terminal (journey thread)."""
        self._ctx = ctx
        self._writer = writer
        self._receipt_factory = receipt_factory

    def start(self) -> None:
        """The citizen confirmed the review: hand the draft to the outbox writer (journey thread)."""
        from ..submission import Draft

        ctx = self._ctx
        session = ctx.journey.session
        if session.photo_jpeg is None:  # review is reached only with a photo accepted
            raise RuntimeError("no photo to store")
        photos = {"face.jpg": session.photo_jpeg}
        if session.identity.photo_jpeg:
            photos["document_photo.jpg"] = session.identity.photo_jpeg
        materials: list[dict[str, Any]] = []
        if session.materials is not None:  # the scanned pages, sealed like the photos
            pages, materials = session.materials.attachments()
            photos.update(pages)
        definition = session.form_definition
        draft = Draft(
            service_id=session.service.id,
            form_id=definition.id,
            form_version=definition.version,
            language=ctx.language,
            applicant={
                **applicant_record(session.identity),
                # How identity was proved: document+face, netid or netid+face.
                PROOF_FIELD: session.extras.get(PROOF_FIELD, LEGACY_PROOF),
                # 人证核验 outcome; "staff_review" with reasons unless matched and live.
                "identity_verification": session.extras.get("face_verification") or pending_record(),
            },
            answers=session.form.answers(),
            photos=photos,
            receipt=self._receipt_factory(),
            corrects_receipt=session.extras.get("corrects_receipt"),  # a 补正 from the progress errand
            materials=materials,
        )
        future = self._writer().submit(draft)
        future.add_done_callback(lambda f: ctx.post(lambda: self._stored(f)))

    def _stored(self, future: Future[Accepted]) -> None:
        from ..submission import SubmissionRefused

        ctx = self._ctx
        journey = ctx.journey
        try:
            accepted = future.result()
        except SubmissionRefused as exc:
            log.warning("submission refused: %s", exc.code)
            journey.submission_failed(exc.code)
            ctx.publish()
            return
        except Exception:
            log_exception(log, "submission could not be stored")
            journey.submission_failed("submission_failed")
            ctx.publish()
            return
        journey.submission_queued(accepted.receipt_number)
        ctx.events.publish(ev.SUBMISSION_QUEUED, receipt_number=accepted.receipt_number)
        ctx.submission_stored(accepted)
        ctx.publish()
