"""Filing arriving submissions as cases, and the two secrets cases need.

Every application the platform stores (online, in a batch, or imported from a USB folder) is
filed as a case in the transaction that stores it (``central.accept``); one stored without a
case (a database from before cases) is filed the next time anyone reads the queue or resends it
(``file_unfiled``).

The secrets, 32 random bytes each in the platform's key folder (mode 0600, made at first use,
shared by every worker of one platform like the other keys):

- ``case-progress.key``: the platform's progress token of a case is HMAC-SHA256 of its case id
  under this key, 128 bits, URL-safe base64. Unguessable without the key, so receipt numbers
  cannot be walked; the same on every answer, so a resent submission's acknowledgement carries
  the token the first one did. A terminal that prints the token on its receipt makes its own
  when it seals the submission and sends only its SHA-256
  (``egov_protocol.cases.PROGRESS_TOKEN_FIELD``): that hash becomes the case's, and the
  database keeps only hashes. Either token opens the progress page (``token_opens``): the
  platform's is the one acknowledgements carry and the lookup by ID number leads to.
- ``person.key``: the key of ``egov_protocol.cases.person_hash``. At intake the platform
  hashes the applicant's document number from the decrypted payload and keeps the hash only;
  terminals fetch the key signed (``GET /v1/person-cases/key``) to ask for one person's cases
  without sending the number.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from egov_protocol.cases import (
    CORRECTS_FIELD,
    PERSON_KEY_BYTES,
    PROGRESS_TOKEN_FIELD,
    is_progress_token_hash,
    person_hash,
    progress_token_hash,
)
from egov_protocol.protocol import RATING_FORM_ID, is_identifier

from .cases_store import CaseIntake, CaseStore
from .db import Database

PROGRESS_KEY_FILE = "case-progress.key"
PERSON_KEY_FILE = "person.key"
_TOKEN_CONTEXT = b"egov-kiosk/progress/v1\x00"


def secret_key(keys_dir: Path, name: str) -> bytes:
    """The 32-byte secret ``keys_dir/name`` (mode 0600), made atomically on first use."""
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = keys_dir / name
    if not path.exists():
        temporary = keys_dir / f".{name}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(PERSON_KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        try:
            with contextlib.suppress(FileExistsError):  # a racing worker made it first
                os.link(temporary, path)
        finally:
            temporary.unlink()
    key = path.read_bytes()
    if len(key) != PERSON_KEY_BYTES:
        raise ValueError(f"{path} is not a {PERSON_KEY_BYTES}-byte key")
    return key


def token_hash(token: str) -> str:
    """What the database keeps of a progress token."""
    return progress_token_hash(token)


@dataclass(frozen=True)
class CaseKeys:
    """The progress-token key and the person key of one platform."""

    progress: bytes
    person: bytes

    @classmethod
    def load(cls, keys_dir: str | Path) -> CaseKeys:
        """Read (or make) both keys in the platform's key folder."""
        keys_dir = Path(keys_dir)
        return cls(secret_key(keys_dir, PROGRESS_KEY_FILE), secret_key(keys_dir, PERSON_KEY_FILE))

    def token(self, case_id: str) -> str:
        """The progress token of case ``case_id``."""
        digest = hmac.new(self.progress, _TOKEN_CONTEXT + case_id.encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()[:16]).decode().rstrip("=")

    def person_hash(self, document_number: str) -> str:
        """The keyed hash of a document number (``egov_protocol.cases.person_hash``)."""
        return person_hash(self.person, document_number)

    @property
    def person_key_id(self) -> str:
        """A name for the person key: the first 16 hex characters of its SHA-256."""
        return "person-" + hashlib.sha256(self.person).hexdigest()[:16]


def intake_of(keys: CaseKeys, submission_id: str, receipt_number: str, terminal_id: str,
              site: str | None, service_id: str | None, received_at: str,
              payload_json: str) -> CaseIntake | None:
    """What to file for one stored submission; None for a 好差评 rating (not a case). The
    payload was decrypted and checked on the way in; its document number is hashed here and
    goes no further."""
    try:
        payload = json.loads(payload_json)
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    if payload.get("form_id") == RATING_FORM_ID:
        return None
    applicant = payload.get("applicant")
    number = applicant.get("document_number") if isinstance(applicant, dict) else None
    corrects = payload.get(CORRECTS_FIELD)
    site_code = payload.get("site_code")
    own = token_hash(keys.token(submission_id))
    # The terminal's token (printed on the receipt) when the payload carries a well-formed hash;
    # an older terminal's submission, or a malformed field, gets the platform's own.
    printed = payload.get(PROGRESS_TOKEN_FIELD)
    return CaseIntake(
        submission_id=submission_id, receipt_number=receipt_number, service_id=service_id,
        site=site or (site_code if isinstance(site_code, str) else None),
        terminal_id=terminal_id, received_at=received_at,
        person_hash=keys.person_hash(number) if isinstance(number, str) and number.strip()
        else None,
        token_hash=printed if is_progress_token_hash(printed) else own,
        fallback_token_hash=own,
        corrects_receipt=corrects if is_identifier(corrects) and corrects != receipt_number
        else None)


class CaseIntakeDesk:
    """Files stored submissions as cases and says each one's progress token. Any thread."""

    def __init__(self, db: Database, keys_dir: str | Path) -> None:
        """The platform database and its key folder."""
        self.cases = CaseStore(db)
        self.keys = CaseKeys.load(keys_dir)

    def filer(self, terminal: dict | None, filed: dict[str, str] | None = None) -> CaseFiler:
        """The filer for ``CentralStore.insert_many`` of what ``terminal`` sends: it files each
        submission in the transaction that stores it (``central.accept``), so no application
        is stored without its case; ``filed`` collects the case id of each submission filed."""
        return CaseFiler(self, terminal, {} if filed is None else filed)

    def file_unfiled(self) -> int:
        """File every stored application that has no case yet; how many were filed."""
        count = 0
        while batch := self.cases.unfiled():
            intakes = [intake_of(self.keys, row["id"], row["receipt_number"],
                                 row["terminal_id"], row["site"], row["service_id"],
                                 row["received_at"], row["payload"]) for row in batch]
            wanted = [intake for intake in intakes if intake is not None]
            if not wanted:
                break
            self.cases.file(wanted)
            count += len(wanted)
        return count

    def progress_token(self, submission_id: str) -> str | None:
        """The progress token of the case ``submission_id`` is filed under (filing it now if
        it was stored without its case); None for a rating or an unknown id."""
        case_id = self.cases.case_of_submission(submission_id)
        if case_id is None and self.file_unfiled():
            case_id = self.cases.case_of_submission(submission_id)
        return None if case_id is None else self.keys.token(case_id)

    def token_opens(self, receipt_number: str, token: str) -> dict | None:
        """The case holding ``receipt_number`` that ``token`` opens, or None: the token whose
        hash the case keeps (the terminal's, printed on the receipt, or the platform's), or the
        platform's own token of the case (recomputed, compared in constant time)."""
        if not token:
            return None
        case = self.cases.by_token(receipt_number, token_hash(token))
        if case is not None:
            return case
        case = self.cases.with_person_hash(receipt_number)
        if case is None or not hmac.compare_digest(self.keys.token(case["case_id"]).encode(),
                                                   token.encode("utf-8", "surrogatepass")):
            return None
        case.pop("person_hash", None)
        return case


class CaseFiler:
    """Files the applications of one terminal as ``CentralStore.insert_many`` stores them:
    called ``(connection, new)`` inside a transaction; on PostgreSQL's pipelined write the
    store asks for :meth:`opening` first and sends those rows within that write. Any thread."""

    def __init__(self, desk: CaseIntakeDesk, terminal: dict | None, filed: dict[str, str]) -> None:
        """File for ``desk`` what ``terminal`` (its row, for the site) sends; the case id of
        each submission filed goes into ``filed`` (so its progress token needs no look-up)."""
        self.desk = desk
        self.site = (terminal or {}).get("site")
        self.filed = filed

    def intake(self, new) -> CaseIntake | None:
        """What to file for the stored submission ``new``; None for a rating."""
        return intake_of(self.desk.keys, new.id, new.receipt_number, new.terminal_id, self.site,
                         new.service_id, new.received_at, new.payload_json)

    def opening(self, new) -> CaseIntake | None:
        """The intake of ``new`` when it opens a case of its own (not a 补正 re-submission,
        which joins an earlier case and is filed by :meth:`__call__`), else None."""
        intake = self.intake(new)
        if intake is None or intake.corrects_receipt is not None:
            return None
        self.filed[new.id] = new.id  # a case of its own bears the id of its first submission
        return intake

    def __call__(self, conn, new) -> None:
        """File ``new`` on ``conn``, in the transaction that stored it."""
        intake = self.intake(new)
        if intake is not None:
            self.filed.update(self.desk.cases.file_in(conn, [intake]))
