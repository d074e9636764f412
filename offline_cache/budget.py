"""The disk budget: refuse new work before the disk fills, never drop unsent data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import StoreError


class DiskBudgetExceeded(StoreError):
    """Free space is below the floor: the terminal must not accept new submissions."""

    def __init__(self, free_bytes: int, floor_bytes: int, path: str) -> None:
        """Free bytes now, the configured floor, and the folder measured."""
        super().__init__(
            f"only {free_bytes // (1024 * 1024)} MB free in {path}, below the "
            f"{floor_bytes // (1024 * 1024)} MB floor: new submissions are refused until "
            "space is freed (queued submissions are kept)")
        self.free_bytes = free_bytes
        self.floor_bytes = floor_bytes


def free_bytes(path: str | os.PathLike[str]) -> int:
    """Free bytes available to this user on the filesystem holding ``path``."""
    probe = Path(path)
    while not probe.exists():
        probe = probe.parent
    return shutil.disk_usage(probe).free


def check_budget(path: str | os.PathLike[str], floor_bytes: int, incoming_bytes: int = 0) -> int:
    """Raise ``DiskBudgetExceeded`` unless ``incoming_bytes`` fit above the floor; return free."""
    free = free_bytes(path)
    if free - incoming_bytes < floor_bytes:
        raise DiskBudgetExceeded(free, floor_bytes, str(path))
    return free
