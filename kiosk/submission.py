"""Accepting a submission: number it, seal it, store it — on the outbox writer thread.

The moment a citizen confirms, the payload and the photos are sealed to the central platform's
public key and signed with the terminal's key; only the sealed envelope reaches the disk. The
terminal keeps no way to read it back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import sqlite3
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.common import OwnerThread
from egov_protocol.cases import (
    CORRECTS_FIELD,
    PROGRESS_TOKEN_BYTES,
    PROGRESS_TOKEN_FIELD,
    progress_token_hash,
)
from egov_protocol.envelope import seal_detached
from offline_cache import DiskBudgetExceeded, Outbox, SealedSubmission, Store, check_budget

from .enrollment import Enrollment
from .receipts import format_receipt_number, sequence_scope
from .safe_log import log_exception

log = logging.getLogger(__name__)

SCHEMA = "egov-kiosk/submission/1"


class SubmissionRefused(Exception):
    """The terminal cannot accept a submission now; ``code`` is a message code for the citizen."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class Draft:
    """What the journey hands over on confirmation; personal data, kept in memory only."""

    service_id: str
    form_id: str
    form_version: int | str
    language: str
    applicant: dict[str, Any]
    answers: dict[str, Any]
    photos: dict[str, bytes]
    #: ``receipt(receipt_number, accepted_at, progress_token)`` builds the receipt to print (its QR
    #: code carries the case's progress token, made by the writer); the writer remembers
    #: its reprint copy as pending before the submission is stored, so a terminal that dies before
    #: printing leaves the receipt owed, not lost (``kiosk.receipts.unprinted_receipts``).
    receipt: Callable[[str, dt.datetime, str], Any] | None = None
    #: A 补正 re-submission: the receipt number of the case it corrects (the payload's
    #: ``egov_protocol.cases.CORRECTS_FIELD``; the platform files it under that case).
    corrects_receipt: str | None = None
    #: The scanned materials: per material its name, whether required, and the names of its pages
    #: among ``photos`` (``kiosk.core.material_scans.MaterialScans.attachments``).
    materials: list[dict[str, Any]] = field(default_factory=list)


def media_type(name: str) -> str:
    """The media type of an attachment by its name's suffix (pages may be WebP)."""
    return "image/webp" if name.endswith(".webp") else "image/jpeg"


@dataclass(frozen=True)
class Accepted:
    """The result of a stored submission: its id and the receipt number to print."""

    submission_id: str
    receipt_number: str
    accepted_at: dt.datetime
    receipt: Any = None  # the draft's receipt, built for this number (None without a factory)
    #: The secret of the case's public progress page (only its hash is in the sealed payload).
    progress_token: str = ""


class SubmissionWriter:
    """The single outbox writer: a thread of its own, the only writer of new submissions.

    :meth:`submit` may be called from any thread; the work (sequence, seal, insert, fsync by
    SQLite's ``synchronous=FULL``) runs on the ``outbox-writer`` thread.
    """

    def __init__(
        self,
        db_path: Path,
        enrollment: Enrollment,
        site_code: str,
        terminal_id: str,
        min_free_bytes: int,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._db_path = db_path
        self._enrollment = enrollment
        self._site_code = site_code
        self._terminal_id = terminal_id
        self._min_free_bytes = min_free_bytes
        self._now = now
        self._executor = OwnerThread("outbox-writer")
        self._store: Store | None = None
        self._outbox: Outbox | None = None
        self.integrity_verdict: str | None = None  # "ok" or SQLite's verdict, after start()

    def start(self) -> Future[None]:
        """Open the store on the writer thread (migrations and integrity check run there)."""
        return self._executor.submit(self._open)

    def _open(self) -> None:
        try:
            self._store = Store(self._db_path).open()
        except Exception:
            # Nobody waits on start()'s future: say it here, and submissions will be refused.
            log_exception(log, "local store could not be opened")
            raise
        verdict = self._store.integrity_check()
        self.integrity_verdict = verdict
        if verdict != "ok":
            # Refuse new work on a damaged file (it might lose it) but keep what is queued.
            log.error("local store failed its integrity check: %s", verdict)
            return
        self._outbox = Outbox(self._store)

    def stop(self) -> None:
        """Finish pending writes, close the store and join the thread."""
        self._executor.submit(self._close).result()
        self._executor.stop(wait=True, cancel_pending=False)

    def _close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def submit(self, draft: Draft) -> Future[Accepted]:
        """Seal and store ``draft``; the future fails with :class:`SubmissionRefused`."""
        return self._executor.submit(self._accept, draft)

    def submit_rating(self, rating: Any) -> Future[None]:
        """Seal and queue a 好差评 :class:`~kiosk.rating.Rating` (outbox writer thread)."""
        from .rating import seal_rating

        def store() -> None:
            if self._outbox is None:
                raise SubmissionRefused("submission_failed", "store not open")
            self._add(seal_rating(rating, self._enrollment, self._site_code, self._terminal_id), {})
        return self._executor.submit(store)

    def counts(self) -> Future[dict[str, int]]:
        """Outbox counts by state (for staff screens and heartbeats)."""
        return self._executor.submit(lambda: self._outbox.counts() if self._outbox else {})

    def _add(self, submission: SealedSubmission, blobs: dict[str, bytes]) -> None:
        if self._outbox is None:
            raise RuntimeError("the outbox is not open")
        self._outbox.add(submission, blobs)

    def _accept(self, draft: Draft) -> Accepted:
        if self._outbox is None:
            detail = "store not open" if self.integrity_verdict in (None, "ok") else (
                f"local store failed its integrity check: {self.integrity_verdict}")
            raise SubmissionRefused("submission_failed", detail)
        keys = self._enrollment.platform_keys()
        if keys is None:
            raise SubmissionRefused("not_enrolled")
        incoming = len(json.dumps(draft.answers, default=str)) + sum(map(len, draft.photos.values()))
        try:
            check_budget(self._db_path.parent, self._min_free_bytes, 2 * incoming)
        except DiskBudgetExceeded as exc:
            log.error("submission refused: %s", exc)
            raise SubmissionRefused("disk_full", str(exc)) from None
        accepted_at = self._now()
        local_day = accepted_at.astimezone().date()
        sequence = self._outbox.allocate_sequence(sequence_scope(self._site_code, self._terminal_id, local_day))
        receipt_number = format_receipt_number(self._site_code, self._terminal_id, local_day, sequence)
        submission_id = str(uuid.uuid4())
        # The progress page's key is made here, not by the platform: the receipt prints now, and
        # the submission may reach the platform weeks later. Only its hash travels.
        progress_token = secrets.token_urlsafe(PROGRESS_TOKEN_BYTES)
        payload: dict[str, Any] = {
            "schema": SCHEMA,
            "submission_id": submission_id,
            "receipt_number": receipt_number,
            "site_code": self._site_code,
            "terminal_id": self._terminal_id,
            "service_id": draft.service_id,
            "form_id": draft.form_id,
            "form_version": draft.form_version,
            "language": draft.language,
            "submitted_at": accepted_at.isoformat(),
            "consent": {"given": True, "at": accepted_at.isoformat()},
            PROGRESS_TOKEN_FIELD: progress_token_hash(progress_token),
            **({CORRECTS_FIELD: draft.corrects_receipt} if draft.corrects_receipt else {}),
            "applicant": draft.applicant,
            "answers": draft.answers,
            "attachments": {
                name: {"sha256": hashlib.sha256(data).hexdigest(), "media_type": media_type(name), "size": len(data)}
                for name, data in draft.photos.items()
            },
        }
        if draft.materials:
            payload["materials"] = draft.materials
        sealed, blobs = seal_detached(
            json.dumps(payload, ensure_ascii=False, sort_keys=True).encode(),
            dict(draft.photos),
            keys.x25519_public,
            self._enrollment.signing_key(),
            key_id=self._enrollment.terminal_key_id(),
        )
        receipt = self._owe_receipt(draft, receipt_number, accepted_at, progress_token)
        try:
            self._add(SealedSubmission(
                id=submission_id,
                receipt_number=receipt_number,
                service_id=draft.service_id,
                form_id=draft.form_id,
                form_version=str(draft.form_version),
                sealed=sealed,
                digest=hashlib.sha256(sealed).hexdigest(),
                created_at=accepted_at,
            ), blobs)
        except BaseException as exc:
            if receipt is not None:  # nothing was stored, so no receipt is owed
                try:
                    self._receipts().forget(receipt_number)
                except OSError:
                    log.warning("pending receipt %s not forgotten (nothing was stored)", receipt_number)
            # SQLITE_FULL: the transaction rolled back, nothing queued was touched.
            if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
                raise SubmissionRefused("disk_full", "the disk filled while storing") from None
            raise
        log.info("submission %s queued for service %s", receipt_number, draft.service_id)
        return Accepted(submission_id, receipt_number, accepted_at, receipt, progress_token)

    def _receipts(self) -> Any:
        from .receipts import RecentReceipts

        return RecentReceipts(self._db_path.parent / "receipts" / "recent.json")

    def _owe_receipt(self, draft: Draft, receipt_number: str, accepted_at: dt.datetime,
                     progress_token: str) -> Any:
        """Build the draft's receipt and remember it as pending, before the submission is stored."""
        if draft.receipt is None:
            return None
        try:
            receipt = draft.receipt(receipt_number, accepted_at, progress_token)
            self._receipts().add(receipt, None)
        except Exception:
            log_exception(log, "receipt %s not remembered before storing", receipt_number, level=logging.WARNING)
            return None
        return receipt
