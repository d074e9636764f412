"""What staff do about a paused queue: the right action for the platform's refusal.

The sync worker pauses the queue when the platform refuses the terminal itself (401/403) and
keeps the reason, ``"<status> <platform's detail>"``. One generic fix ("check the clock, then
enroll again") sent staff to re-enroll a terminal that was revoked, or whose key the platform no
longer knows, where enrolling does not help. ``pause_action`` reads the reason and names the
action that does; ``kioskctl queue``/``sync`` print it and the maintenance page shows it (by its
code, translated in the QML).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PauseAction:
    """``code`` for the maintenance page (``revoked``, ``clock``, ``enroll``, ``rekey``,
    ``unknown``) and the ``fix`` line of ``kioskctl``."""

    code: str
    fix: str


def pause_action(reason: str, terminal_id: str = "SITE-TERMINAL") -> PauseAction:
    """The action for a pause ``reason`` (``"401 request signature does not verify"``)."""
    status, _, detail = reason.partition(" ")
    detail = detail.lower()
    if status == "403":
        return PauseAction("revoked", "the platform operators revoked this terminal: call them; "
                           "once they reinstate it, run kioskctl sync")
    if "clock" in detail:
        return PauseAction("clock", "set the terminal clock right (timedatectl set-ntp true, or "
                           "the correct time), then run kioskctl sync")
    if "unknown terminal" in detail or "not enrolled" in detail:
        return PauseAction("enroll", "enroll the terminal: kioskctl enroll --token TOKEN")
    if "signature does not verify" in detail:
        return PauseAction("rekey", "the platform does not know this terminal's key: ask the "
                           "operators for a token bound to it (kiosk-central issue-token "
                           f"--terminal-id {terminal_id}), then kioskctl rekey --token TOKEN")
    return PauseAction("unknown", "check the terminal clock, then run kioskctl sync; if the "
                       "platform refuses again, call the platform operators")
