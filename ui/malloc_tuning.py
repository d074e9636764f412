"""Keep glibc's heap from growing journey after journey: a fixed mmap threshold.

glibc serves a large allocation (>= 128 KiB by default) with its own mmap and gives it back on
free. But each time such a block is freed, glibc raises the threshold to its size (up to 32 MiB),
so after the first few camera frames (~0.9 MB each), JPEGs, QImages and PDFs every large buffer
comes from the main or a per-thread arena instead. Those buffers, freed on different threads
between long-lived small allocations, fragment the arenas, and malloc_trim() cannot give the
holes back: the soak bench measured ~0.15-0.25 MB of RSS more after every journey, with the memory
actually in use staying flat. Setting the threshold explicitly turns glibc's adjustment off, so
large buffers keep going straight back to the system (an mmap/munmap per camera frame: cheap).
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # from glibc's <malloc.h>
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own default, but fixed instead of adjusted upwards

_applied = False


def fix_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold for the whole process (idempotent; any thread).

    Returns False where there is nothing to tune (not Linux, or a C library other than glibc).
    """
    global _applied
    if _applied:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # musl and others: their allocators do not do this
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    if mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) != 1:
        log.warning("mallopt(M_MMAP_THRESHOLD) refused; the heap may grow with fragmentation")
        return False
    _applied = True
    return True
