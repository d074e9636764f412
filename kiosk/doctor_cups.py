"""``kioskctl doctor``'s checks of ``cups`` printers: the scheduler and queue answer, and no printed
document stays in the spool. Runs on the calling thread; nothing it reports is personal."""

from __future__ import annotations

import subprocess

from .config import KioskConfig
from .doctor_check import FAIL, OK, WARN, Check


def check_cups(config: KioskConfig, role: str) -> Check | None:
    """A ``cups`` printer: the scheduler answers and the configured queue exists and is enabled."""
    device = getattr(config.devices, role)
    if device.backend != "cups":
        return None
    from drivers.common import DeviceError, DeviceNotFound, DeviceTimeout
    from drivers.printer.cups import CupsQueue

    queue, server = str(device.options.get("queue", "")), str(device.options.get("server", ""))
    name = f"cups ({role})"
    scheduler = _cups_scheduler(server)
    if scheduler is not None:
        return Check(name, FAIL, scheduler, "start CUPS: systemctl enable --now cups "
                     "(apt-get install cups if it is missing)")
    try:
        cups = CupsQueue(queue, server)
        status = cups.status()
    except ValueError as exc:
        return Check(name, FAIL, str(exc), f"fix devices.{role}.options.queue in the configuration")
    except DeviceNotFound as exc:
        if "missing" in str(exc):
            return Check(name, FAIL, str(exc), "apt-get install cups-client cups")
        return Check(name, FAIL, str(exc), f"add the queue: lpadmin -p {queue} -E -v DEVICE-URI -m MODEL "
                     "(or set the configured queue name to an existing one: lpstat -p)")
    except DeviceTimeout as exc:
        return Check(name, FAIL, str(exc), "start CUPS: systemctl enable --now cups")
    except DeviceError as exc:
        text = str(exc)
        fix = ("start CUPS: systemctl enable --now cups" if "scheduler" in text.lower() or "connect" in text.lower()
               else "check the queue with lpstat -p; restart CUPS: systemctl restart cups")
        return Check(name, FAIL, text, fix)
    if not status.is_ready:
        return Check(name, FAIL, f"queue {queue} is {status.detail or status.state.value}",
                     f"enable it: cupsenable {queue} && cupsaccept {queue}")
    return Check(name, OK, f"queue {queue} enabled")


def check_cups_job_files(config: KioskConfig, role: str) -> Check | None:
    """A ``cups`` printer's scheduler deletes each job's document when the job ends.

    CUPS keeps it a day by default (``PreserveJobFiles``), and an A4 form carries every answer.
    The printer backend purges its queue after each job; this setting covers a job the terminal
    could not purge (a crash mid-job, another job waiting).
    """
    device = getattr(config.devices, role)
    if device.backend != "cups":
        return None
    from drivers.common import DeviceError
    from drivers.printer.cups import CupsQueue

    queue, server = str(device.options.get("queue", "")), str(device.options.get("server", ""))
    name = f"cups job files ({role})"
    fix = ("cupsctl PreserveJobFiles=No (as root; or set PreserveJobFiles No in /etc/cups/cupsd.conf "
           "and systemctl restart cups)")
    try:
        preserved = CupsQueue(queue, server).job_files_preserved()
    except ValueError:
        return None  # the queue check above reports the bad name
    except DeviceError as exc:
        return Check(name, WARN, f"PreserveJobFiles could not be read ({type(exc).__name__})",
                     "run kioskctl doctor as root, or check that /etc/cups/cupsd.conf has "
                     "PreserveJobFiles No; otherwise: " + fix)
    if preserved is not None:
        return Check(name, FAIL, f"CUPS keeps printed documents in its spool (PreserveJobFiles {preserved})",
                     fix)
    return Check(name, OK, "CUPS deletes each job's document when it ends (PreserveJobFiles No)")


def _cups_scheduler(server: str) -> str | None:
    """None when the CUPS scheduler answers, else what is wrong (``lpstat`` reports an unknown
    queue, not a dead scheduler, when it cannot connect: so ask ``lpstat -r`` first)."""
    command = ["lpstat", *(["-h", server] if server else []), "-r"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except FileNotFoundError:
        return "lpstat is missing (cups-client not installed)"
    except subprocess.TimeoutExpired:
        return "the CUPS scheduler does not answer"
    if "is running" in result.stdout and "not running" not in result.stdout:
        return None
    return f"the CUPS scheduler{' at ' + server if server else ''} is not running"
