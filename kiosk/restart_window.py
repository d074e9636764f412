"""The nightly restart window: a fresh process once a night, never in front of a citizen.

Long-running Qt/Python processes drift (fragmented memory, a device left in a strange state);
a planned restart at night clears that. ``terminal.restart_window = "03:00-04:00"`` (local time)
allows one; it happens only while the attract screen is shown and nobody has touched it for
:data:`QUIET_BEFORE_RESTART_S` seconds (ChromeOS uses the same 60 s rule). The kiosk then exits
with :data:`RESTART_EXIT_CODE` and systemd (``Restart=always``) starts it again.

"Once a night" needs no state on disk: a process that started inside tonight's window is already
fresh, so only a process started before the window opened restarts. The restart itself, or a
crash restart during the window, therefore never loops.

The same restart starts a newly installed software version at the first quiet moment (attract
screen, 60 s untouched), window or not (``switched``, ``kiosk.releases.SwitchWatch``).

Pure logic with injected clocks; the core asks :meth:`RestartWindow.due` on its journey thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

#: Exit status of a planned restart (EX_TEMPFAIL); the unit lists it in SuccessExitStatus.
RESTART_EXIT_CODE = 75
#: Seconds the attract screen must have been untouched before a restart.
QUIET_BEFORE_RESTART_S = 60.0

WINDOW_PATTERN = re.compile(r"(?P<start>([01]\d|2[0-3]):[0-5]\d)-(?P<end>([01]\d|2[0-3]):[0-5]\d)")


def check_window(value: str) -> str | None:
    """Configuration check for ``terminal.restart_window``: ``""`` or ``"HH:MM-HH:MM"``."""
    if value == "":
        return None
    match = WINDOW_PATTERN.fullmatch(value)
    if match is None:
        return 'must be empty or "HH:MM-HH:MM" (24-hour local time), e.g. "03:00-04:00"'
    if match["start"] == match["end"]:
        return "start and end must differ"
    return None


@dataclass(frozen=True)
class RestartWindow:
    """A daily window ``start``–``end`` (local time; may cross midnight, e.g. 23:30-00:30)."""

    start: time
    end: time
    process_started: datetime

    @classmethod
    def parse(cls, value: str, process_started: datetime) -> RestartWindow | None:
        """``None`` for ``""`` (restarts disabled); raises ValueError for a malformed window."""
        if value == "":
            return None
        problem = check_window(value)
        if problem:
            raise ValueError(f"restart window {value!r}: {problem}")
        start, end = value.split("-")
        return cls(time.fromisoformat(start), time.fromisoformat(end), process_started)

    def opened_at(self, now: datetime) -> datetime | None:
        """When the window that contains ``now`` opened, or ``None`` if ``now`` is outside it."""
        today_start = datetime.combine(now.date(), self.start, now.tzinfo)
        for opened in (today_start, today_start - timedelta(days=1)):
            closes = datetime.combine(opened.date(), self.end, now.tzinfo)
            if closes <= opened:
                closes += timedelta(days=1)  # the window crosses midnight
            if opened <= now < closes:
                return opened
        return None

    def due(self, now: datetime, on_attract: bool, untouched_s: float) -> bool:
        """Restart now? Only inside the window, on the attract screen, quiet for 60 s, once a night."""
        if not on_attract or untouched_s < QUIET_BEFORE_RESTART_S:
            return False
        opened = self.opened_at(now)
        return opened is not None and self.process_started < opened


class RestartPlanner:
    """Asks the window on each clock tick and says ``True`` once when the restart is due.

    Journey thread only. ``wall_clock`` gives local time (injectable for tests).
    """

    def __init__(self, window: RestartWindow | None, wall_clock: Callable[[], datetime] = datetime.now,
                 switched: Callable[[], bool] | None = None) -> None:
        """``switched()``: another software version is to start than this process runs
        (``kiosk.releases.SwitchWatch``): then the restart is due at the next quiet moment,
        window or not."""
        self.window = window
        self._wall_clock = wall_clock
        self._switched = switched
        self.requested = False

    @classmethod
    def from_config(cls, value: str, wall_clock: Callable[[], datetime] = datetime.now,
                    switched: Callable[[], bool] | None = None) -> RestartPlanner:
        """The planner for ``terminal.restart_window``, counting this process as started now."""
        return cls(RestartWindow.parse(value, wall_clock()), wall_clock, switched)

    def check(self, on_attract: bool, untouched_s: float) -> bool:
        """True exactly once, when the planned restart should happen now."""
        if self.requested:
            return False
        quiet = on_attract and untouched_s >= QUIET_BEFORE_RESTART_S
        if quiet and self._switched is not None and self._switched():
            self.requested = True  # an update was installed: start it between citizens
            return True
        if self.window is None:
            return False
        if self.window.due(self._wall_clock(), on_attract, untouched_s):
            self.requested = True
            return True
        return False
