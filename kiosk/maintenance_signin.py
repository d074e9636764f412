"""Staff sign-in of the maintenance mode: the PIN pad, lockouts, sign-out, the idle sign-out.

The pad opens only between citizens (the XFS4IoT VendorMode idea: enter only once the application
is idle), and a PIN is checked only while that is still so. Every method runs on the service's
``maintenance`` thread; the view it changes is the desk's (:class:`~kiosk.maintenance_desk.MaintenanceDesk`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from .maintenance_desk import MaintenanceDesk
from .staff import StaffError, StaffStore

log = logging.getLogger(__name__)


class StaffSignIn:
    """Opens the PIN pad, signs staff in and out, and signs them out when idle."""

    def __init__(self, desk: MaintenanceDesk, staff: StaffStore, idle_timeout_s: float,
                 signed_in: Callable[[], None]) -> None:
        """``signed_in()`` runs once a member is signed in (the first diagnostics read)."""
        self._desk = desk
        self._staff = staff
        self._idle_timeout_s = idle_timeout_s
        self._signed_in = signed_in

    def open_pad(self) -> None:
        """The hidden gesture: show the PIN pad, if no citizen is at the terminal."""
        desk = self._desk
        if desk.view["phase"] != "closed":
            return
        if not desk.between_citizens():
            log.info("maintenance gesture ignored: a citizen session is under way")
            return
        desk.view["phase"] = "pin"
        try:
            desk.view["pin"] = {"code": "" if self._staff.members() else "no_staff", "attempts_left": 0,
                                "locked_s": int(self._staff.locked_for() + 0.999)}
        except StaffError as exc:  # a damaged staff file: nobody can sign in until it is fixed
            log.error("maintenance: %s", exc)
            desk.view["pin"] = {"code": "no_staff", "attempts_left": 0, "locked_s": 0}
        desk.last_touch = desk.clock()

    def close_pad(self) -> None:
        """Close the PIN pad without signing in."""
        if self._desk.view["phase"] == "pin":
            self._desk.close()

    def sign_in(self, pin: str) -> None:
        """Check a PIN typed on the pad; signs the member in or counts a failure."""
        desk = self._desk
        if desk.view["phase"] != "pin":
            return
        desk.last_touch = desk.clock()
        if not desk.between_citizens():
            desk.close()
            return
        try:
            outcome = self._staff.verify(pin)
        except StaffError as exc:
            log.error("maintenance: %s", exc)
            desk.view["pin"] = {"code": "no_staff", "attempts_left": 0, "locked_s": 0}
            return
        if outcome.staff is not None:
            desk.member = outcome.staff
            desk.view["phase"] = "signed_in"
            desk.view["staff"] = {"id": outcome.staff.staff_id, "name": outcome.staff.name}
            desk.view["pin"] = {"code": "", "attempts_left": 0, "locked_s": 0}
            desk.audit("signed_in")
            self._signed_in()
            return
        if outcome.refused:
            code = "locked"
        elif outcome.locked_s:
            code = "locked"
            desk.audit("locked_out", actor=None, lock_s=int(outcome.locked_s))
        else:
            code = "wrong"
        if not outcome.refused:
            desk.audit("sign_in_failed", actor=None, attempts_left=outcome.attempts_left)
        desk.view["pin"] = {"code": code, "attempts_left": outcome.attempts_left,
                            "locked_s": int(outcome.locked_s + 0.999)}

    def sign_out(self, reason: str) -> None:
        """End the maintenance session (``reason``: staff, idle) and close."""
        if self._desk.member is not None:
            self._desk.audit("signed_out", reason=reason)
        self._desk.close()

    def touched(self) -> None:
        """Any touch while open: postpones the automatic sign-out."""
        self._desk.last_touch = self._desk.clock()

    def tick(self) -> None:
        """About once a second while open: idle sign-out and the lock countdown."""
        desk = self._desk
        phase = desk.view["phase"]
        if phase == "closed":
            return
        idle = desk.clock() - desk.last_touch
        if idle >= self._idle_timeout_s:
            if phase == "signed_in":
                self.sign_out("idle")
            else:
                desk.close()
            return
        desk.view["idle_left"] = int(self._idle_timeout_s - idle + 0.999)
        if phase == "pin" and desk.view["pin"]["code"] != "no_staff":
            desk.view["pin"]["locked_s"] = int(self._staff.locked_for() + 0.999)
