"""A flag file while a citizen is at the terminal, so updates download only between citizens.

The updater is another process (``kioskctl update apply`` from a timer); it reads the flag
before each file it downloads and waits while a citizen is served (``wait_between_citizens``).
:class:`CitizenPresence` keeps ``<data_dir>/citizen-present`` holding the kiosk's process id
from the first screen after the attract screen until the attract screen is back; the flag of a
kiosk that died mid-session names a process that is gone and counts as absent. Handlers run on
the publishing thread (the journey thread) and write or remove one small file. Nothing personal:
a process id.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from . import events as ev

FLAG_NAME = "citizen-present"
POLL_S = 2.0


class CitizenPresence:
    """Keeps the flag file (``attach(hub)`` to start); a flag left by an earlier run is removed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._present = False
        self._lock = threading.Lock()
        path.unlink(missing_ok=True)

    def attach(self, hub: ev.EventHub) -> Callable[[], None]:
        """Subscribe to ``hub``; returns the unsubscribe function."""
        return hub.subscribe(self.on_event)

    def on_event(self, event: ev.Event) -> None:
        """Follow the journey's screen (publishing thread)."""
        if event.name != ev.JOURNEY_CHANGED:
            return
        screen = (event.data.get("snapshot") or {}).get("screen")
        if not isinstance(screen, str):
            return
        present = screen != "attract"
        with self._lock:
            if present == self._present:
                return
            self._present = present
            if present:
                temporary = self.path.with_name(f".{self.path.name}.tmp")
                temporary.write_text(str(os.getpid()), encoding="ascii")
                os.replace(temporary, self.path)
            else:
                self.path.unlink(missing_ok=True)


def citizen_present(path: Path) -> bool:
    """Whether a living kiosk process says a citizen is at the terminal."""
    try:
        pid = int(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False  # the kiosk died mid-session: nobody is being served by it
    except PermissionError:
        return True  # alive, another user's
    return True


def wait_between_citizens(path: Path, sleep: Callable[[float], None] = time.sleep) -> None:
    """Return once no citizen is at the terminal (at once when none is); blocks the caller."""
    while citizen_present(path):
        sleep(POLL_S)
