"""Binary framing of ``POST /v1/batches`` (``application/vnd.egov.batch``): no base64, no JSON
around the big bytes. Both sides; no HTTP library here.

Layout (all integers big-endian)::

    b"EGOVB\\x02"                      magic and version (``\\x01`` is still accepted)
    u32 manifest length                at most MAX_MANIFEST bytes
    manifest                           UTF-8 JSON: {"items": [{"id", "receipt_number", "digest",
                                       "envelope": <length>, "blobs": [[ref, <length>], ...]}]}
    for each item, in manifest order:  the envelope bytes, then each blob's bytes in order

The lengths must add up to exactly the rest of the body. In version 2 the request signature
(``X-Egov-Digest``) covers the head -- magic, length and manifest -- and the manifest binds every
part by its SHA-256 (``digest`` of the envelope, ``ref`` of each blob), which the platform checks
part by part before storing anything, exactly as for the JSON form. So the bulk of a batch is
hashed once on each side instead of twice (the whole-body digest of version 1 hashed every photo
again): a changed part is refused as that part's digest or ref mismatch, a changed head as a bad
signature.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

from .protocol import is_digest, is_identifier

CONTENT_TYPE = "application/vnd.egov.batch"
MAGIC = b"EGOVB\x02"
MAGIC_V1 = b"EGOVB\x01"  # the whole body is signed
MAX_MANIFEST = 1024 * 1024
MAX_ITEMS = 100
MAX_BLOBS = 64
_HEAD = struct.Struct(">6sI")


class BatchFormatError(ValueError):
    """The body is not a well-formed binary batch (the whole request is refused with 422)."""


@dataclass(frozen=True)
class BatchPart:
    """One submission of a binary batch."""

    id: str
    receipt_number: str
    digest: str
    envelope: bytes
    blobs: dict[str, bytes | memoryview]  # views into the request body


def encode_batch(items: list[tuple[str, str, str, bytes, dict[str, bytes]]]) -> bytes:
    """``(id, receipt_number, digest, envelope, blobs by ref)`` items → request body."""
    manifest, chunks = [], []
    for submission_id, receipt_number, digest, envelope, blobs in items:
        manifest.append({"id": submission_id, "receipt_number": receipt_number,
                         "digest": digest, "envelope": len(envelope),
                         "blobs": [[ref, len(data)] for ref, data in blobs.items()]})
        chunks.append(envelope)
        chunks.extend(blobs.values())
    head = json.dumps({"items": manifest}, separators=(",", ":")).encode()
    return b"".join([_HEAD.pack(MAGIC, len(head)), head, *chunks])


def decode_batch(body: bytes) -> list[BatchPart]:
    """Parse a request body; raises ``BatchFormatError`` (and nothing else) when malformed."""
    if len(body) < _HEAD.size:
        raise BatchFormatError("batch body is too short")
    magic, size = _HEAD.unpack_from(body)
    if magic not in (MAGIC, MAGIC_V1):
        raise BatchFormatError("not a version 1 or 2 binary batch")
    if size > MAX_MANIFEST or _HEAD.size + size > len(body):
        raise BatchFormatError("batch manifest length is out of range")
    try:
        manifest = json.loads(body[_HEAD.size:_HEAD.size + size].decode("utf-8"))
    except (ValueError, RecursionError):
        raise BatchFormatError("batch manifest is not UTF-8 JSON") from None
    items = manifest.get("items") if isinstance(manifest, dict) else None
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise BatchFormatError(f"batch manifest must list at most {MAX_ITEMS} items")
    view = memoryview(body)
    offset = _HEAD.size + size
    parts = []
    for item in items:
        _check_item(item)
        envelope_view, offset = _take(view, offset, item["envelope"])
        envelope = bytes(envelope_view)
        blobs: dict[str, bytes | memoryview] = {}
        for ref, length in item["blobs"]:
            # Views into the body, not copies: a batch carries megabytes of photos, which are
            # hashed and written out once each and need no bytes object of their own.
            blobs[ref], offset = _take(view, offset, length)
        parts.append(BatchPart(item["id"], item["receipt_number"], item["digest"], envelope,
                               blobs))
    if offset != len(body):
        raise BatchFormatError("batch body is longer than its manifest says")
    return parts


def signed_portion(body: bytes) -> bytes:
    """The bytes the request digest covers: a version 2 batch's head, else the whole body (a
    malformed body is then refused by ``decode_batch`` or by its signature)."""
    if len(body) >= _HEAD.size:
        magic, size = _HEAD.unpack_from(body)
        if magic == MAGIC and size <= MAX_MANIFEST and _HEAD.size + size <= len(body):
            return body[:_HEAD.size + size]
    return body


def _check_item(item: object) -> None:
    if not isinstance(item, dict) or set(item) != {"id", "receipt_number", "digest",
                                                   "envelope", "blobs"}:
        raise BatchFormatError("batch item has the wrong fields")
    if not is_identifier(item["id"]) or not is_identifier(item["receipt_number"]):
        raise BatchFormatError("batch item id or receipt number is malformed")
    if not is_digest(item["digest"]):
        raise BatchFormatError("batch item digest is not a SHA-256 hex string")
    blobs = item["blobs"]
    if not isinstance(blobs, list) or len(blobs) > MAX_BLOBS:
        raise BatchFormatError(f"batch item must list at most {MAX_BLOBS} blobs")
    refs = set()
    for entry in blobs:
        if (not isinstance(entry, list) or len(entry) != 2 or not is_digest(entry[0])
                or entry[0] in refs):
            raise BatchFormatError("batch blob entries must be unique [sha256, length] pairs")
        refs.add(entry[0])


def _take(view: memoryview, offset: int, length: object) -> tuple[memoryview, int]:
    if type(length) is not int or length < 0 or offset + length > len(view):
        raise BatchFormatError("batch length field is out of range")
    return view[offset:offset + length], offset + length
