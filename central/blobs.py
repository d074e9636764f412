"""Attachment blobs of the platform in append-only segment files beside a SQLite database.

A batch of 100 submissions carries about 6 MB of sealed photos. Written into SQLite, those bytes
go through the page cache twice (the WAL, then the checkpoint into the database file) with a
checksum per page and two fsyncs; that made storing blobs the platform's largest cost. Here a
batch's blobs are appended to one new segment file, flushed with one ``fdatasync`` before the
database transaction that records where they are commits. A crash in between leaves an
unreferenced segment (harmless garbage), never a row pointing at bytes that are not on disk.

Blobs stay sealed (encrypted to the platform key) in the segments exactly as they are in the
database: nothing is opened here. Segments are never modified after they are written.

Thread rule: any thread; each ``write`` creates its own file, so several threads and several
worker processes can write at once.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from .files import private_dir


class BlobCorrupted(Exception):
    """A segment is missing, short, or its bytes no longer hash to the blob's name."""


class BlobSegments:
    """A directory of segment files: ``<day>/<random>.seg``."""

    def __init__(self, directory: str | Path) -> None:
        """Remember the directory; it is created on the first write."""
        self.directory = Path(directory)

    def write(self, blobs: Iterable[tuple[str, bytes]]) -> dict[str, tuple[str, int]]:
        """Append ``(sha256, content)`` pairs to a new segment and make it durable.

        Returns ``sha256 -> (segment name, offset)``; an empty input writes nothing."""
        blobs = list(blobs)
        if not blobs:
            return {}
        day = datetime.now(UTC).strftime("%Y%m%d")
        folder = self.directory / day
        if not folder.is_dir():
            private_dir(self.directory)  # 0700: the segments hold sealed submissions
            private_dir(folder)
            _fsync_directory(folder.parent)
        name = f"{day}/{secrets.token_hex(12)}.seg"
        placed: dict[str, tuple[str, int]] = {}
        offset = 0
        fd = os.open(self.directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            for ref, content in blobs:
                if ref in placed:
                    continue
                view = memoryview(content)
                while view:
                    view = view[os.write(fd, view):]
                placed[ref] = (name, offset)
                offset += len(content)
            os.fdatasync(fd)
        finally:
            os.close(fd)
        _fsync_directory(folder)
        return placed

    def read(self, segment: str, offset: int, size: int, sha256: str) -> bytes:
        """The blob stored at ``offset`` of ``segment``, checked against its hash.
        Raises ``BlobCorrupted``."""
        path = PurePosixPath(segment)
        if path.is_absolute() or ".." in path.parts or len(path.parts) != 2:
            raise BlobCorrupted(f"segment name {segment!r} is not one of ours")
        try:
            with open(self.directory / path, "rb") as file:
                file.seek(offset)
                content = file.read(size)
        except OSError as exc:
            raise BlobCorrupted(f"segment {segment} cannot be read: {exc.strerror}") from None
        if len(content) != size or hashlib.sha256(content).hexdigest() != sha256:
            raise BlobCorrupted(f"blob {sha256[:12]} in segment {segment} is damaged")
        return content


def _fsync_directory(directory: Path) -> None:
    # A new file's directory entry is durable only once the directory itself is synced.
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
