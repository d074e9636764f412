"""Opening a case's submission for a case worker: decrypted here, on the platform, with the
platform's own sealing keys (current and retired) -- the keys never leave it -- and shaped for
the case page and the case-worker API.

What a terminal seals (``kiosk/submission.py``): ``answers`` (a signature answer is
``{"w", "h", "strokes"}``), ``applicant`` (what the document chip said, with
``identity_verification``: the 人证核验 decision, reasons, face-match score and liveness;
``identity_proof``: how identity was proved, :mod:`egov_protocol.identity_proof`), and
the photos ``face.jpg`` (live) and ``document_photo.jpg`` (from the chip) as detached, sealed
attachments, and the pages scanned of the service's paper materials (``material-<m>-page-<p>.jpg``
or ``.webp``, named per material in the payload's ``materials``). Nothing here logs or stores what
it opens.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from egov_protocol.envelope import EnvelopeError, inspect_envelope, open_parsed
from egov_protocol.identity_proof import (
    DOCUMENT_FACE,
    NETID,
    NETID_FACE,
    PROOF_FIELD,
    level_of,
    proof_of,
)

from .keyring import PlatformKeyring
from .store import CentralStore
from .tables import submissions

LIVE_PHOTO = "face.jpg"
DOCUMENT_PHOTO = "document_photo.jpg"
_IMAGE_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
_APPLICANT_HIDDEN = {"identity_verification", PROOF_FIELD}
#: How identity was proved, as the case page says it.
PROOF_LABELS = {DOCUMENT_FACE: "ID document + face 证件 + 人脸", NETID: "网证 alone 仅网证 (national network identity)",
                NETID_FACE: "网证 + face 网证 + 人脸"}


class CaseUnreadable(Exception):
    """The submission cannot be opened (missing, or its envelope no longer verifies)."""


@dataclass
class OpenedSubmission:
    """One decrypted submission, as the case page shows it."""

    submission_id: str
    payload: dict = field(repr=False)
    attachments: dict[str, bytes] = field(repr=False)

    @property
    def answers(self) -> list[tuple[str, object]]:
        """The form answers, ``(field id, value)`` in the form's order."""
        answers = self.payload.get("answers")
        return list(answers.items()) if isinstance(answers, dict) else []

    @property
    def applicant(self) -> list[tuple[str, object]]:
        """What the document said, ``(field, value)``, without empty fields."""
        applicant = self.payload.get("applicant")
        if not isinstance(applicant, dict):
            return []
        return [(k, v) for k, v in applicant.items()
                if k not in _APPLICANT_HIDDEN and v not in (None, "", [])]

    @property
    def verification(self) -> dict:
        """The 人证核验 record: ``decision``, ``reasons``, ``score``, ``threshold``,
        ``matched``, ``backend``, ``liveness`` (passed, reasons), ``capture`` and
        ``staff_review`` (the terminal asked for a person to check)."""
        applicant = self.payload.get("applicant")
        record = applicant.get("identity_verification") if isinstance(applicant, dict) else None
        record = record if isinstance(record, dict) else {}
        match = record.get("match")
        match = match if isinstance(match, dict) else {}
        liveness = record.get("liveness")
        liveness = liveness if isinstance(liveness, dict) else {}
        decision = record.get("decision") or "not recorded"
        return {"decision": decision, "reasons": list(record.get("reasons") or []),
                "score": match.get("score"), "threshold": match.get("threshold"),
                "matched": match.get("matched"), "backend": match.get("backend"),
                "liveness_passed": liveness.get("passed"),
                "liveness_reasons": list(liveness.get("reasons") or []),
                "capture": record.get("capture"), "staff_review": decision != "verified"}

    @property
    def identity_proof(self) -> dict:
        """How the applicant proved who they are: ``proof`` ("document+face", "netid",
        "netid+face", or "unknown"), its ``level`` (0 when unknown) and a ``label``."""
        proof = proof_of(self.payload.get("applicant"))
        return {"proof": proof, "level": level_of(proof),
                "label": PROOF_LABELS.get(proof, "unknown 未知 (the terminal sent no known proof)")}

    def photo(self, name: str) -> str | None:
        """A ``data:`` URI of attachment ``name`` when it is a JPEG or PNG image, else None."""
        data = self.attachments.get(name)
        if not data:
            return None
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":  # a page scanned as WebP
            return f"data:image/webp;base64,{base64.b64encode(data).decode()}"
        for magic, media_type in _IMAGE_TYPES:
            if data.startswith(magic):
                return f"data:{media_type};base64,{base64.b64encode(data).decode()}"
        return None

    @property
    def materials(self) -> list[dict]:
        """The paper materials scanned at the terminal: per material its ``name`` (``name_en``),
        whether ``required``, and its ``pages`` in order, each ``{"name", "size", "image"}`` (a
        ``data:`` URI, or None when the page is missing or not an image)."""
        record = self.payload.get("materials")
        found = []
        for item in record if isinstance(record, list) else []:
            if not isinstance(item, dict):
                continue
            pages = [name for name in item.get("pages") or [] if isinstance(name, str)]
            found.append({"name": str(item.get("name") or ""), "name_en": str(item.get("name_en") or ""),
                          "required": item.get("required") is True,
                          "pages": [{"name": name, "size": len(self.attachments.get(name, b"")),
                                     "image": self.photo(name)} for name in pages]})
        return found

    @property
    def other_attachments(self) -> list[dict]:
        """Attachments besides the two photos and the materials' pages: name, size, and a
        ``data:`` URI for images."""
        pages = {page["name"] for material in self.materials for page in material["pages"]}
        return [{"name": name, "size": len(data), "image": self.photo(name)}
                for name, data in sorted(self.attachments.items())
                if name not in (LIVE_PHOTO, DOCUMENT_PHOTO) and name not in pages]

    @property
    def signatures(self) -> list[dict]:
        """Every signature answer: field ``name``, SVG ``path`` data and its pad's ``w``, ``h``."""
        found = []
        for name, value in self.answers:
            path = signature_path(value)
            if path is not None and isinstance(value, dict):
                found.append({"name": name, "path": path, "w": _size(value.get("w")),
                              "h": _size(value.get("h"))})
        return found

    def as_json(self) -> dict:
        """For the case-worker API: payload fields, verification, attachments in base64."""
        return {"submission_id": self.submission_id, "answers": dict(self.answers),
                "applicant": dict(self.applicant), "verification": self.verification,
                "identity_proof": self.identity_proof,
                "service_id": self.payload.get("service_id"),
                "submitted_at": self.payload.get("submitted_at"),
                "materials": [{"name": m["name"], "required": m["required"],
                               "pages": [page["name"] for page in m["pages"]]} for m in self.materials],
                "attachments": {name: base64.b64encode(data).decode()
                                for name, data in sorted(self.attachments.items())}}


def _size(value: object) -> int:
    return int(value) if isinstance(value, int | float) and 0 < value < 10000 else 400  # NaN too


def signature_path(value: object) -> str | None:
    """SVG path data (``M x y L x y …``) of a signature answer ``{"w", "h", "strokes"}``, or
    None for any other value. Integers only, so the path cannot carry markup."""
    if not isinstance(value, dict) or not isinstance(value.get("strokes"), list):
        return None
    parts = []
    for stroke in value["strokes"]:
        if not isinstance(stroke, list) or len(stroke) < 2:
            continue
        points = [int(p) for p in stroke if isinstance(p, int | float) and math.isfinite(p)]
        pairs = list(zip(points[0::2], points[1::2], strict=False))
        if pairs:
            parts.append("M" + " L".join(f"{x} {y}" for x, y in pairs))
    return " ".join(parts) if parts else None


def open_submission(store: CentralStore, keys: PlatformKeyring, submission_id: str
                    ) -> OpenedSubmission:
    """Verify and decrypt the stored envelope of ``submission_id`` with its detached blobs.
    Raises ``CaseUnreadable``."""
    with store.db.transaction(write=False) as conn:
        row = conn.execute(select(submissions.c.terminal_id, submissions.c.envelope)
                           .where(submissions.c.id == submission_id)).mappings().first()
    if row is None:
        raise CaseUnreadable(f"submission {submission_id} is not stored")
    try:
        info = inspect_envelope(bytes(row["envelope"]))
        signer = store.signer_key(row["terminal_id"], info.key_id)
        if signer is None:
            raise CaseUnreadable("the terminal key that signed it is not known")
        payload, attachments = open_parsed(
            info.document, keys.all_sealing_keys(), Ed25519PublicKey.from_public_bytes(signer),
            store.blob)
        document = json.loads(payload.decode("utf-8"))
    except (EnvelopeError, ValueError) as exc:
        raise CaseUnreadable(f"the submission cannot be opened: {exc}") from None
    if not isinstance(document, dict):
        raise CaseUnreadable("the submission's payload is not a JSON object")
    return OpenedSubmission(submission_id, document, attachments)
