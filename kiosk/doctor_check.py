"""What one ``kioskctl doctor`` check is: a verdict with what was seen and the fix (``kiosk.doctor``),
and the seams tests replace."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

OK, WARN, FAIL = "ok", "warn", "fail"
#: Clock skew that makes signed requests fragile, and the platform's refusal window.
SKEW_WARN_S, SKEW_FAIL_S = 60.0, 300.0


@dataclass(frozen=True)
class Check:
    """One line of ``kioskctl doctor``: what was checked, the verdict, what was seen, the fix."""

    name: str
    verdict: str
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        """True for an ``ok`` verdict."""
        return self.verdict == OK


@dataclass
class Seams:
    """What tests replace (the clock, pcscd's socket, free-space measurement), and whether the
    devices may be opened: ``open_devices=False`` inside a running kiosk, whose owner threads
    hold the camera and ports (its diagnostics screen shows their live state instead)."""

    open_devices: bool = True
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    pcscd_socket: str | None = None
    free_bytes: Callable[[Path], int] = field(default=lambda path: shutil.disk_usage(path).free)
