"""The platform's blob segment files (``central.blobs``) and the store that uses them."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from central.blobs import BlobCorrupted, BlobSegments
from central.store import CentralStore


def _ref(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_a_segment_holds_a_batch_of_blobs_and_reads_each_back(tmp_path: Path) -> None:
    segments = BlobSegments(tmp_path / "blobs")
    blobs = [os.urandom(n) for n in (0, 1, 60_000, 333)]
    placed = segments.write([(_ref(b), b) for b in blobs])
    assert len({segment for segment, _ in placed.values()}) == 1
    for content in blobs:
        segment, offset = placed[_ref(content)]
        assert segments.read(segment, offset, len(content), _ref(content)) == content
    assert segments.write([]) == {}


def test_a_damaged_or_missing_segment_is_a_clear_error(tmp_path: Path) -> None:
    segments = BlobSegments(tmp_path / "blobs")
    content = os.urandom(1000)
    segment, offset = segments.write([(_ref(content), content)])[_ref(content)]
    path = tmp_path / "blobs" / segment
    data = bytearray(path.read_bytes())
    data[10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(BlobCorrupted, match="damaged"):
        segments.read(segment, offset, len(content), _ref(content))
    path.unlink()
    with pytest.raises(BlobCorrupted, match="cannot be read"):
        segments.read(segment, offset, len(content), _ref(content))
    for name in ("../etc/passwd", "/etc/passwd", "x.seg"):
        with pytest.raises(BlobCorrupted, match="not one of ours"):
            segments.read(name, 0, 1, _ref(b"x"))


def test_the_store_keeps_blobs_out_of_the_sqlite_database(tmp_path: Path) -> None:
    store = CentralStore(tmp_path / "central.sqlite3")
    store.open()
    content = os.urandom(50_000)
    ref = store.put_blob(content)
    assert store.blob(ref) == content
    assert store.blob_offset(ref) == (True, len(content))
    row = sqlite3.connect(tmp_path / "central.sqlite3").execute(
        "SELECT length(content), segment FROM blobs WHERE sha256 = ?", (ref,)).fetchone()
    assert row[0] == 0 and row[1].endswith(".seg")
    assert list((tmp_path / "central-blobs").rglob("*.seg"))
    # A resumable upload assembled from parts lands in a segment too.
    other = os.urandom(30_000)
    assert store.append_blob(_ref(other), 0, len(other), other[:10_000]) == (False, 10_000)
    assert store.append_blob(_ref(other), 10_000, len(other), other[10_000:]) == (True, 30_000)
    assert store.blob(_ref(other)) == other


def test_blobs_stored_in_the_database_by_an_older_platform_stay_readable(tmp_path: Path) -> None:
    path = tmp_path / "central.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size_bytes INTEGER NOT NULL, "
                "content BLOB NOT NULL, received_at TEXT NOT NULL)")
    content = b"sealed photo bytes"
    old.execute("INSERT INTO blobs VALUES (?, ?, ?, ?)", (_ref(content), len(content), content,
                                                         "2026-01-01T00:00:00+00:00"))
    old.execute("PRAGMA user_version=2")
    old.commit()
    old.close()
    store = CentralStore(path)
    store.open()
    assert store.blob(_ref(content)) == content
    newer = os.urandom(2000)
    assert store.blob(store.put_blob(newer)) == newer
