"""Card and reader hot-plug: pyscard's card monitor, kept alive by a supervisor thread.

pyscard's ``CardMonitor`` thread ends for good on ``SCARD_E_NO_SERVICE``, silently; Debian's
pcscd exits when idle and restarts on demand. The :class:`PcscSupervisor` probes the service and
the reader list every ``interval_s`` (which is also how reader plug/unplug is seen) and restarts
the card monitor whenever the service comes back or its thread died. pyscard's ``ReaderMonitor``
is not used: its shared-state constructor resets every observer list, and its ``stop()`` joins
its thread from a synchronized method, which deadlocks against a pending notification. Events
only wake the reader's owner thread; it confirms with a real ``connect()`` (events can be lost).
"""

from __future__ import annotations

import logging
import threading

from smartcard.CardMonitoring import CardMonitor, CardMonitoringThread, CardObserver
from smartcard.Exceptions import SmartcardException
from smartcard.System import readers as list_readers

log = logging.getLogger(__name__)


class _Observer(CardObserver):
    def __init__(self, supervisor: PcscSupervisor) -> None:
        self.supervisor = supervisor

    def update(self, observable, handlers) -> None:  # noqa: ANN001 - pyscard's signature
        """Called on a pyscard monitor thread: just wake the owner thread."""
        self.supervisor.changed()


def _card_monitor() -> CardMonitor:
    """pyscard's CardMonitor, with its monitoring thread restarted if it died.

    pyscard (2.3) starts that thread once per process and lets it end for good on
    ``SCARD_E_NO_SERVICE``; joining it clears pyscard's singleton so a new thread can start.
    """
    monitor = CardMonitor()
    try:
        thread = monitor.rmthread
        if thread is not None and not thread.is_alive():
            thread.join()
            monitor.instance.rmthread = CardMonitoringThread(monitor.instance)
    except Exception:  # noqa: BLE001 - pyscard internals differ between versions: best effort
        log.debug("CardMonitor thread restart failed", exc_info=True)
    return monitor


class PcscSupervisor:
    """Owns the monitors; :meth:`wait_for_change` lets the owner thread sleep until something happens."""

    def __init__(self, interval_s: float = 2.0) -> None:
        self.interval_s = interval_s
        self._condition = threading.Condition()
        self._generation = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._observer: _Observer | None = None
        self._monitors: list = []
        self.service_up = False
        self.reader_names: list[str] = []
        self.restarts = 0

    def start(self) -> None:
        """Start supervising (idempotent)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="pcsc-supervisor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Remove the monitors and stop the supervisor thread."""
        self._stop.set()
        with self._condition:
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self._detach()

    def changed(self) -> None:
        """Something happened (any thread): wake waiters."""
        with self._condition:
            self._generation += 1
            self._condition.notify_all()

    def wait_for_change(self, timeout_s: float) -> None:
        """Sleep until the next event or ``timeout_s`` (owner thread)."""
        with self._condition:
            generation = self._generation
            self._condition.wait_for(lambda: self._generation != generation or self._stop.is_set(),
                                     timeout=max(timeout_s, 0))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.probe()
            self._stop.wait(self.interval_s)

    def probe(self) -> None:
        """Check the service and the monitors once; rebuild them when needed."""
        try:
            names = [str(r) for r in list_readers()]
            up = True
        except SmartcardException:
            names, up = [], False
        except Exception:  # noqa: BLE001 - pyscard raises plain exceptions on a dead daemon too
            log.debug("PC/SC probe failed", exc_info=True)
            names, up = [], False
        if up and (not self.service_up or not self._monitors_alive()):
            self._attach()
        if not up and self.service_up:
            log.warning("PC/SC service lost; monitors will be rebuilt when it returns")
            self._detach()
        if up != self.service_up or names != self.reader_names:
            self.service_up, self.reader_names = up, names
            self.changed()

    def _monitors_alive(self) -> bool:
        try:
            for monitor in self._monitors:
                thread = getattr(monitor, "rmthread", None)
                if thread is not None and not thread.is_alive():
                    return False
        except Exception:  # noqa: BLE001 - pyscard's thread wrappers raise once their thread is gone
            return False
        return self._observer is not None

    def _attach(self) -> None:
        self._detach()
        observer = _Observer(self)
        monitors = [_card_monitor()]
        attached = []
        try:
            for monitor in monitors:
                monitor.addObserver(observer)
                attached.append(monitor)
        except Exception:  # noqa: BLE001 - a monitor can fail to start while pcscd restarts
            log.warning("PC/SC monitors could not start; retrying", exc_info=True)
            self._observer, self._monitors = observer, attached
            self._detach()
            return
        self._observer, self._monitors = observer, attached
        self.restarts += 1

    def _detach(self) -> None:
        observer, self._observer = self._observer, None
        monitors, self._monitors = self._monitors, []
        if observer is None:
            return
        for monitor in monitors:
            try:
                monitor.deleteObserver(observer)
            except Exception:  # noqa: BLE001 - a dead monitor may refuse; it is gone either way
                log.debug("monitor observer removal failed", exc_info=True)
