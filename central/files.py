"""Files of the platform on disk: private to the service's user, and names from outside kept out.

The database, its WAL and shared-memory files and the blob segments hold sealed submissions and
decrypted payloads: files are mode 0600 in folders of mode 0700, whatever the umask. A database
made before this rule is tightened when the platform opens it. Attachment names come from
terminals; ``safe_attachment_name`` keeps one that could leave its folder from ever becoming a
path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".writer-lock")


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) mode 0700; tighten it if it already exists."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_database(path: str | Path) -> None:
    """Before SQLite opens ``path``: its folder 0700, the file created 0600 (SQLite gives its WAL
    and shared-memory files the database file's mode), and the files of an older database
    tightened to 0600."""
    path = Path(path)
    private_dir(path.parent)
    # Never open (and close) an existing database file: closing any descriptor of it drops
    # every POSIX lock this process's SQLite connections hold on it.
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in _SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        try:
            if companion.stat().st_mode & 0o077:
                companion.chmod(0o600)
        except FileNotFoundError:
            pass


def safe_attachment_name(name: str) -> str | None:
    """``name`` when it can be a file name in a folder of its own; None for one that is empty,
    ``.``, ``..``, or holds a path separator or NUL (skip it and report it)."""
    if name in ("", ".", "..") or any(char in name for char in "/\\\0"):
        return None
    return name


def write_private_file(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` mode 0600 (its folder 0700), replacing it atomically: a key
    or a configuration with secrets is never readable by others, not even for a moment."""
    path = Path(path)
    partial = _private_partial(path, data)
    try:
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def create_private_file_once(path: str | Path, data: bytes) -> None:
    """Create ``path`` (0600) with ``data`` unless it exists: of writers racing to create it
    (two servers of one process starting together), the first wins and the others keep its
    content, so a key is made once and never replaced."""
    path = Path(path)
    partial = _private_partial(path, data)
    try:
        os.link(partial, path)
    except FileExistsError:
        pass
    finally:
        partial.unlink(missing_ok=True)


def _private_partial(path: Path, data: bytes) -> Path:
    # A name of its own for every writer: two threads writing the same file must not share one.
    private_dir(path.parent)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    return Path(name)
