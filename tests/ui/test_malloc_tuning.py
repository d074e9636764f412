"""ui/malloc_tuning.py: glibc's mmap threshold fixed, so large buffers do not fragment the heap."""

from __future__ import annotations

import ctypes
import sys

import pytest

from ui.malloc_tuning import fix_mmap_threshold


def _glibc() -> bool:
    try:
        return sys.platform.startswith("linux") and hasattr(ctypes.CDLL("libc.so.6"), "gnu_get_libc_version")
    except OSError:
        return False


@pytest.mark.skipif(not _glibc(), reason="glibc only")
def test_threshold_is_fixed_and_idempotent():
    assert fix_mmap_threshold() is True
    assert fix_mmap_threshold() is True

