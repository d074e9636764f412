"""Documents the platform issues from a case's facts, signed with its seal, and their
verification.

The case handling calls, with plain data (``central.certificate_facts.CaseFacts``)::

    office = request.app.state.certificates            # a CertificateOffice
    office.issue_acceptance_receipt(facts)              # 受理凭证, for any received case
    office.issue_certificate(facts)                     # the certificate a completed case yields

Each returns an :class:`IssuedDocument`: its id, the signed PDF, and the verification address
``<public url>/verify/<document id>?t=<token>`` that its QR code carries. The id and the token
are random (96 and 192 bits): documents cannot be walked. Only the token's hash is stored.
Issuing a document of the same kind for the same receipt number again supersedes the earlier
one; :meth:`CertificateOffice.revoke` withdraws one. The PDF and the masked statement the
verification page shows are stored sealed (``central.at_rest``); the holder is found by the
keyed hash of the ID number (``person_hash``, as the case handling keys a person's cases),
never by the number itself.

Thread rule: any thread (the database and the seal are thread-safe; signing is CPU-bound, so
call it from a worker thread, not the event loop).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, update

from .at_rest import AtRestKeys
from .cases_hooks import CompletedCase, NoCertificateIssuer, OnCompleted
from .certificate_facts import (
    ACCEPTANCE_RECEIPT,
    INSURANCE_CERTIFICATE,
    INSURANCE_SERVICE,
    KIND_TITLES,
    CaseFacts,
    statement,
)
from .certificate_pdf import RENDERERS
from .certificate_tables import issued_documents as docs
from .seal import Seal, SealMissing, load_seal

VALID, REVOKED, SUPERSEDED = "valid", "revoked", "superseded"
#: The service whose completion yields which certificate.
CERTIFICATE_OF_SERVICE = {INSURANCE_SERVICE: INSURANCE_CERTIFICATE}


class NotIssuable(Exception):
    """The case's service yields no certificate, or the case is not completed."""


@dataclass(frozen=True)
class IssuedDocument:
    """A document just issued: ``pdf`` is signed; ``verify_url`` is what its QR code holds."""

    document_id: str
    kind: str
    receipt_number: str
    issued_at: datetime
    verify_url: str
    pdf: bytes

    @property
    def pdf_sha256(self) -> str:
        """SHA-256 of the signed PDF, hex."""
        return hashlib.sha256(self.pdf).hexdigest()


@dataclass(frozen=True)
class Verification:
    """What the public verification page tells about one document (no more personal data
    than is printed, and that masked)."""

    document_id: str
    kind: str
    title: str
    title_en: str
    issuer: str
    issued_at: str
    status: str
    status_at: str | None
    status_reason: str | None
    superseded_by: str | None
    statement: str
    pdf_sha256: str
    seal_fingerprint: str

    @property
    def genuine_and_current(self) -> bool:
        """True while the document has been neither revoked nor superseded."""
        return self.status == VALID


def _facts(facts: CaseFacts | dict) -> CaseFacts:
    return facts if isinstance(facts, CaseFacts) else CaseFacts.from_mapping(facts)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


class CertificateOffice:
    """Issues, lists, serves and verifies the platform's documents."""

    def __init__(self, db, seal_folder: str | Path, keys: AtRestKeys, public_url: str, *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        """``db``: the platform database; the seal is loaded from ``seal_folder`` at the first
        issuance; ``public_url``: the platform's public address, for the QR codes."""
        self.db = db
        self.seal_folder = Path(seal_folder)
        self.keys = keys
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        self._seal: Seal | None = None

    @property
    def seal(self) -> Seal:
        """The platform's seal (``SealMissing`` when none is installed)."""
        if self._seal is None:
            self._seal = load_seal(self.seal_folder)
        return self._seal

    def issue_acceptance_receipt(self, facts: CaseFacts | dict) -> IssuedDocument:
        """Issue the 受理凭证 of a received case (``facts`` as ``CaseFacts`` or plain data,
        ``CaseFacts.from_mapping``)."""
        return self._issue(ACCEPTANCE_RECEIPT, _facts(facts))

    def issue_certificate(self, facts: CaseFacts | dict) -> IssuedDocument:
        """Issue the certificate a completed case yields (``NotIssuable`` when its service
        yields none, or ``facts.completed_at`` is not set)."""
        facts = _facts(facts)
        kind = CERTIFICATE_OF_SERVICE.get(facts.service_id)
        if kind is None:
            raise NotIssuable(f"the service {facts.service_id} yields no certificate")
        if facts.completed_at is None:
            raise NotIssuable("a certificate needs a completed case")
        return self._issue(kind, facts)

    def _issue(self, kind: str, facts: CaseFacts) -> IssuedDocument:
        document_id = secrets.token_urlsafe(12)
        token = secrets.token_urlsafe(24)
        issued_at = self.clock()
        url = f"{self.public_url}/verify/{document_id}?t={token}"
        seal = self.seal
        unsigned = RENDERERS[kind](facts, document_id, url, seal.organisation, issued_at)
        signed = seal.sign(unsigned, reason=f"{KIND_TITLES[kind][0]} {facts.receipt_number}",
                           location=facts.hall)
        issued = IssuedDocument(document_id, kind, facts.receipt_number, issued_at, url, signed)
        summary = json.dumps({"statement": statement(kind, facts), "issuer": seal.organisation,
                              "seal_fingerprint": seal.fingerprint}, ensure_ascii=False)
        with self.db.transaction() as tx:
            tx.execute(update(docs).where(
                docs.c.receipt_number == facts.receipt_number, docs.c.kind == kind,
                docs.c.status == VALID).values(
                status=SUPERSEDED, status_at=_iso(issued_at), superseded_by=document_id,
                status_reason="a newer document was issued"))
            tx.execute(docs.insert().values(
                document_id=document_id, token_hash=_token_hash(token), kind=kind,
                service_id=facts.service_id, receipt_number=facts.receipt_number,
                submission_id=facts.submission_id,
                person_hash=self.keys.person_hash(facts.id_number), issued_at=_iso(issued_at),
                status=VALID, pdf_sha256=issued.pdf_sha256,
                sealed_pdf=self.keys.seal(signed, f"pdf:{document_id}"),
                sealed_summary=self.keys.seal(summary.encode(), f"summary:{document_id}")))
        return issued

    def revoke(self, document_id: str, reason: str) -> bool:
        """Withdraw a valid document; False when there is no such valid document."""
        with self.db.transaction() as tx:
            done = tx.execute(update(docs).where(
                docs.c.document_id == document_id, docs.c.status == VALID).values(
                status=REVOKED, status_at=_iso(self.clock()), status_reason=reason[:500]))
        return done.rowcount == 1

    def verification(self, document_id: str, token: str) -> Verification | None:
        """The document ``document_id`` if ``token`` is its token; None otherwise (an unknown
        id and a wrong token look the same)."""
        with self.db.transaction(write=False) as tx:
            row = tx.execute(select(docs).where(docs.c.document_id == document_id)
                             ).mappings().first()
        if row is None or not hmac.compare_digest(row["token_hash"], _token_hash(token)):
            return None
        summary = json.loads(self.keys.open(bytes(row["sealed_summary"]),
                                            f"summary:{document_id}"))
        title, title_en = KIND_TITLES.get(row["kind"], (row["kind"], row["kind"]))
        return Verification(
            document_id=document_id, kind=row["kind"], title=title, title_en=title_en,
            issuer=summary["issuer"], issued_at=row["issued_at"], status=row["status"],
            status_at=row["status_at"], status_reason=row["status_reason"],
            superseded_by=row["superseded_by"], statement=summary["statement"],
            pdf_sha256=row["pdf_sha256"], seal_fingerprint=summary["seal_fingerprint"])

    def documents_of(self, person_hash: str) -> list[dict]:
        """The documents issued to the person ``person_hash`` (``AtRestKeys.person_hash`` of
        their ID number), newest first: id, kind, title, issuer, service, receipt number, issue
        time and status (no personal data)."""
        with self.db.transaction(write=False) as tx:
            rows = tx.execute(
                select(docs.c.document_id, docs.c.kind, docs.c.service_id,
                       docs.c.receipt_number, docs.c.issued_at, docs.c.status,
                       docs.c.sealed_summary)
                .where(docs.c.person_hash == person_hash)
                .order_by(docs.c.issued_at.desc(), docs.c.document_id)).mappings().all()
        return [{**{k: v for k, v in row.items() if k != "sealed_summary"},
                 "title": KIND_TITLES.get(row["kind"], (row["kind"],))[0],
                 "title_en": KIND_TITLES.get(row["kind"], (row["kind"], row["kind"]))[1],
                 "issuer": self._issuer(row["document_id"], bytes(row["sealed_summary"]))}
                for row in rows]

    def _issuer(self, document_id: str, sealed_summary: bytes) -> str:
        """The organisation whose seal signed the document (printed on it: not personal)."""
        return str(json.loads(self.keys.open(sealed_summary, f"summary:{document_id}"))["issuer"])

    def pdf(self, document_id: str, person_hash: str) -> bytes | None:
        """The signed PDF of ``document_id`` if it was issued to the person ``person_hash``;
        None otherwise."""
        with self.db.transaction(write=False) as tx:
            row = tx.execute(select(docs.c.person_hash, docs.c.sealed_pdf).where(
                docs.c.document_id == document_id)).mappings().first()
        if row is None or not hmac.compare_digest(row["person_hash"], person_hash):
            return None
        return self.keys.open(bytes(row["sealed_pdf"]), f"pdf:{document_id}")


def _when(text: object, default: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return default
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def case_certificate_issuer(office: CertificateOffice) -> OnCompleted:
    """The hook that issues, when a case worker completes a case with a certificate, the
    certificate its service yields (``CERTIFICATE_OF_SERVICE``) from the decrypted payload of
    its latest submission; None for a service that yields none. Raises
    ``NoCertificateIssuer`` when the platform has no seal. Runs on a request thread."""

    def issue(case: CompletedCase) -> str | None:
        if case.service_id not in CERTIFICATE_OF_SERVICE:
            return None
        applicant = case.payload.get("applicant")
        applicant = applicant if isinstance(applicant, dict) else {}
        answers = case.payload.get("answers")
        now = office.clock()
        facts = CaseFacts(
            service_id=case.service_id, receipt_number=case.receipt_number,
            applicant_name=str(applicant.get("name", "")),
            id_number=str(applicant.get("document_number", "")),
            id_document=str(applicant.get("document_type") or "resident_id"),
            received_at=_when(case.received_at, now), completed_at=now,
            result=answers if isinstance(answers, dict) else {},
            submission_id=case.submission_id)
        try:
            issued = office.issue_certificate(facts)
        except SealMissing as exc:
            raise NoCertificateIssuer(str(exc)) from None
        return f"证明已出具 certificate {issued.document_id} issued"

    return issue
