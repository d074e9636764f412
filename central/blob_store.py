"""Detached attachment blobs in the platform database: whole, in parts (resumable uploads), and
where their bytes are (a row's ``content``, or a segment file, ``central.blobs``).

``BlobRows`` is the blob half of ``CentralStore``. Thread rule: any thread.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, select

from .blobs import BlobSegments
from .db import Database, insert
from .errors import BlobMismatch
from .tables import blob_parts, blobs


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def insert_blob(conn: Connection, sha256: str, content: bytes, place: tuple[str, int] | None,
                now: str) -> None:
    """Record a blob inside the caller's transaction (a blob held already is left alone)."""
    # A blob written to a segment keeps an empty content column (NOT NULL in older schemas).
    segment, offset = place if place is not None else (None, None)
    conn.execute(insert(conn, blobs).values(
        sha256=sha256, size_bytes=len(content), content=b"" if place is not None else content,
        received_at=now, segment=segment, offset_bytes=offset).on_conflict_do_nothing())


class BlobRows:
    """Blob storage of a ``CentralStore`` (its ``db`` and ``segments``)."""

    db: Database
    segments: BlobSegments | None

    def blob(self, sha256: str) -> bytes | None:
        """A complete blob's bytes, or None."""
        with self.db.transaction(write=False) as conn:
            row = conn.execute(select(blobs.c.size_bytes, blobs.c.content, blobs.c.segment,
                                      blobs.c.offset_bytes)
                               .where(blobs.c.sha256 == sha256)).first()
        if row is None:
            return None
        if row.segment is None:
            return bytes(row.content)
        assert self.segments is not None, "a blob in a segment needs the blob directory"
        return self.segments.read(row.segment, row.offset_bytes, row.size_bytes, sha256)

    def held(self, refs: list[str]) -> set[str]:
        """Those of ``refs`` already stored as blobs (only asked when blobs go to segments:
        written again they would make a segment nothing references)."""
        if not refs or self.segments is None:
            return set()
        with self.db.transaction(write=False) as conn:
            return set(conn.scalars(select(blobs.c.sha256).where(blobs.c.sha256.in_(refs))))

    def place(self, items: list[tuple[str, bytes]]) -> dict[str, tuple[str, int]]:
        """Write blobs to a durable segment before the transaction that records them."""
        return {} if self.segments is None else self.segments.write(items)

    def blob_offset(self, sha256: str) -> tuple[bool, int]:
        """``(complete, bytes held)``: where a resumed upload continues."""
        with self.db.transaction(write=False) as conn:
            size = conn.scalar(select(blobs.c.size_bytes).where(blobs.c.sha256 == sha256))
            if size is not None:
                return True, size
            parts = conn.execute(select(blob_parts.c.offset_bytes, blob_parts.c.content)
                                 .where(blob_parts.c.sha256 == sha256)
                                 .order_by(blob_parts.c.offset_bytes)).all()
        offset = 0
        for part in parts:
            if part.offset_bytes != offset:
                break
            offset += len(part.content)
        return False, offset

    def append_blob(self, sha256: str, offset: int, total: int, content: bytes) -> tuple[bool, int]:
        """Store the part at ``offset``; assemble and verify when all ``total`` bytes are here.

        Returns ``(complete, bytes held)``. Raises ``BlobMismatch`` when the assembled bytes do
        not hash to ``sha256`` (the parts are discarded so the upload can start over)."""
        complete, held = self.blob_offset(sha256)
        if complete:
            return True, held
        if offset != held:
            raise BlobMismatch(f"upload continues at {held}, not {offset}")
        if offset + len(content) > total:
            raise BlobMismatch("part goes past the declared length")
        with self.db.transaction() as conn:
            conn.execute(insert(conn, blob_parts).values(
                sha256=sha256, offset_bytes=offset, total_bytes=total, content=content)
                .on_conflict_do_nothing())
            if offset + len(content) < total:
                return False, offset + len(content)
            data = b"".join(conn.scalars(select(blob_parts.c.content)
                                         .where(blob_parts.c.sha256 == sha256)
                                         .order_by(blob_parts.c.offset_bytes)))
            conn.execute(delete(blob_parts).where(blob_parts.c.sha256 == sha256))
            mismatch = len(data) != total or hashlib.sha256(data).hexdigest() != sha256
            if not mismatch:
                insert_blob(conn, sha256, data, self.place([(sha256, data)]).get(sha256), _now())
        if mismatch:
            raise BlobMismatch("uploaded bytes do not hash to the blob's name")
        return True, total

    def put_blob(self, content: bytes) -> str:
        """Store a whole blob (batch and import paths); returns its hash."""
        sha256 = hashlib.sha256(content).hexdigest()
        if self.held([sha256]):
            return sha256
        placed = self.place([(sha256, content)])
        with self.db.transaction() as conn:
            insert_blob(conn, sha256, content, placed.get(sha256), _now())
        return sha256
