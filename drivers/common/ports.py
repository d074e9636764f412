"""Can this process use a serial port? Existence, device type, permissions, opening
(``kioskctl doctor``). Calling thread; opens and closes the port at once, sending nothing."""

from __future__ import annotations

import grp
import os
import stat
from dataclasses import dataclass


@dataclass(frozen=True)
class PortReport:
    """``verdict`` is ``ok`` or ``fail``; ``detail`` says what was found, ``fix`` what to do."""

    path: str
    verdict: str
    detail: str
    fix: str = ""


def probe_serial(path: str) -> PortReport:
    """Check one serial device path (URLs such as ``socket://`` or ``rfc2217://`` are not
    local devices and pass unchecked)."""
    if "://" in path:
        return PortReport(path, "ok", f"{path} is a network URL (not checked here)")
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return PortReport(path, "fail", f"{path} does not exist",
                          "plug the device's USB cable in and check its udev rule; then run doctor again")
    except OSError as exc:
        return PortReport(path, "fail", f"{path}: {exc.strerror}", "check the device path in the configuration")
    if not stat.S_ISCHR(info.st_mode):
        return PortReport(path, "fail", f"{path} is not a character device",
                          "point the configuration at the device node (e.g. /dev/ttyUSB0)")
    if not os.access(path, os.R_OK | os.W_OK):
        try:
            group = grp.getgrgid(info.st_gid).gr_name
        except KeyError:
            group = str(info.st_gid)
        return PortReport(path, "fail", f"{path} is not readable and writable by this user",
                          f"add the kiosk user to group {group} (usermod -aG {group} kiosk), then log in again")
    import serial  # pyserial: only in drivers

    try:
        serial.Serial(path, timeout=0).close()
    except (serial.SerialException, OSError) as exc:
        return PortReport(path, "fail", f"{path} does not open: {exc}",
                          "another program may hold the port; stop it or restart the terminal")
    return PortReport(path, "ok", f"{path} opens")
