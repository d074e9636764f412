"""systemd's notify protocol: READY after the first frame, WATCHDOG pings from the GUI event loop.

``deploy/egov-kiosk.service`` runs the kiosk with ``Type=notify`` and ``WatchdogSec=30``. The
datagram protocol is a few lines of stdlib (``sd_notify(3)``): no libsystemd binding needed.

The ping comes from a QTimer on the GUI thread on purpose: if the event loop hangs (a blocking
call, a deadlock, a runaway QML binding), the timer stops firing, the pings stop, and systemd
kills and restarts the kiosk. A ping from a separate thread would keep a frozen screen alive.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends ``sd_notify`` messages to ``$NOTIFY_SOCKET``; does nothing when it is not set.

    An address starting with ``@`` is in the abstract namespace (Linux). Sending never raises:
    a lost notification must not bring the kiosk down (systemd then restarts it on its own terms).
    """

    def __init__(self, address: str | None = None) -> None:
        address = os.environ.get("NOTIFY_SOCKET", "") if address is None else address
        self.address: str | bytes | None = None
        if address.startswith("@"):
            self.address = "\0" + address[1:]
        elif address.startswith("/"):
            self.address = address
        elif address:
            log.warning("NOTIFY_SOCKET %r is not a unix socket path; not notifying systemd", address)
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, message: str) -> bool:
        """Send one message (e.g. ``"READY=1"``); True if it was sent."""
        if self.address is None:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto(message.encode(), self.address)
            return True
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
            log.warning("sd_notify %s failed: %s", message.split("=", 1)[0], exc)
            return False

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def watchdog_interval_ms(environ: Mapping[str, str] | None = None) -> int | None:
    """Half of systemd's watchdog period (``$WATCHDOG_USEC``), as sd_watchdog_enabled(3) advises.

    ``None`` when no watchdog is set for this process (``$WATCHDOG_PID`` names another one).
    """
    if environ is None:
        environ = os.environ
    try:
        usec = int(environ.get("WATCHDOG_USEC", "0"))
    except ValueError:
        return None
    pid = environ.get("WATCHDOG_PID")
    if usec <= 0 or (pid and pid.isdigit() and int(pid) != os.getpid()):
        return None
    return max(100, usec // 2000)


class SystemdWatchdog(QObject):
    """READY=1 (after the first frame), WATCHDOG=1 from the GUI loop, STOPPING=1 on quit.

    GUI thread only. ``interval_ms`` defaults to half of ``$WATCHDOG_USEC``; without one, no
    pings are sent (READY and STOPPING still are, when ``$NOTIFY_SOCKET`` is set).
    """

    def __init__(self, notifier: SystemdNotifier | None = None, interval_ms: int | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notifier = notifier or SystemdNotifier()
        self.interval_ms = watchdog_interval_ms() if interval_ms is None else interval_ms
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.ping)

    def start(self) -> None:
        """Start pinging (call once the event loop is about to run)."""
        if self.notifier.enabled and self.interval_ms:
            self._timer.start(self.interval_ms)

    def ready(self) -> None:
        """The first frame is on screen: tell systemd the service has started."""
        self.notifier.notify(f"READY=1\nMAINPID={os.getpid()}\nSTATUS=attract screen shown")

    def ping(self) -> None:
        self.notifier.notify("WATCHDOG=1")

    def stopping(self) -> None:
        """Quitting on purpose: stop pinging and say so, so systemd does not count a hang."""
        self._timer.stop()
        self.notifier.notify("STOPPING=1")

    def status(self, text: str) -> None:
        """A one-line status for ``systemctl status`` (never personal data)."""
        self.notifier.notify(f"STATUS={text}")
