"""How this citizen wants the terminal to behave: elder mode (长辈版) and the voice switch.

Both are *session* choices, never terminal settings: the next citizen starts with the defaults
again (适老化 and Section 508 ask for the volume and presentation to reset after each use). They
are not personal data, so they appear in the screen model like the language does.

Owned by the core's journey thread, like everything else of the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The choices a citizen can make, with the value every session starts with.
DEFAULTS: dict[str, bool] = {"elder_mode": False, "voice_muted": False}


@dataclass
class SessionPreferences:
    """The current session's choices (journey thread only).

    ``last_change`` is the clock time of the latest choice: a choice made on the attract screen,
    where no session countdown runs, is dropped after the idle timeout all the same.
    """

    elder_mode: bool = False
    voice_muted: bool = False
    last_change: float = 0.0

    def set(self, name: str, value: bool, now: float) -> None:
        """Record one choice; raises ``ValueError`` for a name that is not a preference."""
        if name not in DEFAULTS:
            raise ValueError(f"unknown session preference {name!r}")
        setattr(self, name, bool(value))
        self.last_change = now

    def reset(self) -> bool:
        """Back to the defaults (on every wipe); True if anything changed."""
        changed = self.view() != DEFAULTS
        self.elder_mode = DEFAULTS["elder_mode"]
        self.voice_muted = DEFAULTS["voice_muted"]
        return changed

    def expire(self, now: float, last_touch: float, idle_timeout_s: float) -> bool:
        """Reset choices left untouched on the attract screen longer than the idle timeout.

        ``last_touch`` is the clock time of the latest touch; True if the choices were reset.
        """
        if self.view() == DEFAULTS or now - max(self.last_change, last_touch) < idle_timeout_s:
            return False
        return self.reset()

    def view(self) -> dict[str, Any]:
        """The snapshot fields: ``elder_mode`` and ``voice_muted``."""
        return {"elder_mode": self.elder_mode, "voice_muted": self.voice_muted}
