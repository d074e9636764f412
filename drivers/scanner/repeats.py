"""De-duplication and rate limiting of scanned codes (pure; used on the scanner's owner thread)."""

from __future__ import annotations


class RepeatFilter:
    """Decides whether a read is new: the same text within ``window_s`` of its previous read is
    a repeat (and extends the window, so a code held still is read once), and any read within
    ``min_interval_s`` of the last accepted one is dropped. Times are monotonic seconds."""

    def __init__(self, window_s: float = 3.0, min_interval_s: float = 0.2) -> None:
        if window_s < 0 or min_interval_s < 0:
            raise ValueError("window_s and min_interval_s must not be negative")
        self._window_s = window_s
        self._min_interval_s = min_interval_s
        self._seen: dict[str, float] = {}
        self._last_accepted: float | None = None

    def accept(self, text: str, now: float) -> bool:
        """True when ``text`` read at ``now`` is a new read."""
        self._seen = {seen: at for seen, at in self._seen.items() if now - at <= self._window_s}
        repeated = text in self._seen
        self._seen[text] = now
        if repeated:
            return False
        if self._last_accepted is not None and now - self._last_accepted < self._min_interval_s:
            return False
        self._last_accepted = now
        return True

    def clear(self) -> None:
        """Forget every read."""
        self._seen.clear()
        self._last_accepted = None
