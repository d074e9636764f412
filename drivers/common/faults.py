"""Scriptable faults for the simulated backends (OctoPrint ``simulated_errors`` style)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable


class FaultScript:
    """A thread-safe set of pending faults: ``add("paper_out", 2)`` fails the next two attempts.

    Simulated backends call :meth:`take` at the point where a real device would fail. Staff
    training tools and tests call :meth:`add` from any thread.
    """

    def __init__(self, kinds: Iterable[str]) -> None:
        self.kinds: tuple[str, ...] = tuple(kinds)
        self._pending: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` attempts fail with ``kind`` (any thread)."""
        if kind not in self.kinds:
            raise ValueError(f"unknown fault {kind!r}; known faults: {', '.join(self.kinds)}")
        if not isinstance(count, int) or count < 1:
            raise ValueError(f"fault count must be a positive integer, not {count!r}")
        with self._lock:
            self._pending[kind] += count

    def pending(self, *kinds: str) -> str | None:
        """The first pending fault among ``kinds`` (all kinds if none given), without consuming it."""
        with self._lock:
            for kind in kinds or self.kinds:
                if self._pending[kind] > 0:
                    return kind
        return None

    def take(self, *kinds: str) -> str | None:
        """Consume and return one pending fault among ``kinds`` (all if none given), or None."""
        with self._lock:
            for kind in kinds or self.kinds:
                if self._pending[kind] > 0:
                    self._pending[kind] -= 1
                    return kind
        return None

    def clear(self) -> None:
        """Drop every pending fault (any thread)."""
        with self._lock:
            self._pending.clear()
