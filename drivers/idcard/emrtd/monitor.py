"""Card and reader hot-plug: one watcher thread of ours on ``SCardGetStatusChange``.

pyscard's ``CardMonitor`` is not used: its thread is a process-wide singleton that outlives every
observer, prints a traceback and keeps spinning when pcscd goes away (``SCARD_F_COMM_ERROR``),
then ends for good, silently, on ``SCARD_E_NO_SERVICE``; nothing can stop it or restart it
cleanly. Its ``ReaderMonitor`` has the same shape (and deadlocks in ``stop()``). Debian's pcscd
exits when idle and restarts on demand, so losing the service is normal operation.

:class:`PcscSupervisor` owns one thread and one PC/SC context. The thread waits on
``SCardGetStatusChange`` for the readers it knows and pcsc-lite's ``\\\\?PnP?\\Notification``
pseudo-reader (reader plug/unplug), at most ``interval_s`` at a time. Any failure of the service
(an error code or an exception from pyscard) marks the service down, releases the context and
tries again every ``interval_s``; nothing escapes the thread. :meth:`PcscSupervisor.stop` cancels
the wait (``SCardCancel``) and joins the thread, so after ``stop()`` no thread of ours watches
pcscd. Events only wake the reader's owner thread; it confirms with a real ``connect()``.
"""

from __future__ import annotations

import logging
import threading

from smartcard import scard

log = logging.getLogger(__name__)

#: pcsc-lite's pseudo-reader whose state changes when a reader is plugged in or out.
PNP_NOTIFICATION = "\\\\?PnP?\\Notification"
_OK, _TIMEOUT, _CANCELLED = scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED


class PcscSupervisor:
    """Watches pcscd and its readers; :meth:`wait_for_change` lets the owner thread sleep until
    something happens. ``service_up``/``reader_names`` are the last observation (any thread);
    ``restarts`` counts how often the service was (re)connected."""

    def __init__(self, interval_s: float = 2.0) -> None:
        self.interval_s = interval_s
        self._condition = threading.Condition()
        self._generation = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context_lock = threading.Lock()
        self._context: int | None = None
        self.service_up = False
        self.reader_names: list[str] = []
        #: True once the watcher has tried the service at least once.
        self.observed = False
        self.restarts = 0

    def start(self) -> None:
        """Start watching (idempotent; any thread)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="pcsc-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Cancel the pending wait and join the watcher thread (any thread but the watcher)."""
        self._stop.set()
        with self._context_lock:
            if self._context is not None:
                scard.SCardCancel(self._context)
        with self._condition:
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(max(10.0, 3 * self.interval_s))
            if self._thread.is_alive():
                log.error("PC/SC watcher did not stop")
            self._thread = None

    @property
    def running(self) -> bool:
        """True while the watcher thread is alive (any thread)."""
        return self._thread is not None and self._thread.is_alive()

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

    # -- the watcher thread ---------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._watch_one_context()
            except Exception:
                log.warning("PC/SC watcher failed; retrying", exc_info=True)
            finally:
                self._release()
            if self._stop.is_set():
                break  # stopped, not lost: nothing to report
            self._observe(False, [])
            self._stop.wait(self.interval_s)

    def _watch_one_context(self) -> None:
        """Establish a context and watch until the service fails or :meth:`stop` (watcher thread)."""
        result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result != _OK:
            return
        with self._context_lock:
            self._context = context
        if self._stop.is_set():
            return
        names = self._list(context)
        if names is None:
            return
        self.restarts += 1
        self._observe(True, names)
        states = self._states(names, {})
        while not self._stop.is_set():
            result, changes = scard.SCardGetStatusChange(context, int(self.interval_s * 1000), states)
            if result == _CANCELLED:
                return
            if result not in (_OK, _TIMEOUT, scard.SCARD_E_UNKNOWN_READER):
                log.info("PC/SC service lost (%08X); watching for its return", result & 0xFFFFFFFF)
                return
            names = self._list(context)
            if names is None:
                return
            known = {name: state & ~scard.SCARD_STATE_CHANGED for name, state, *_ in changes} \
                if result == _OK else dict(states)
            states = self._states(names, known)
            if result == _OK:
                self.changed()
            self._observe(True, names)

    @staticmethod
    def _list(context: int) -> list[str] | None:
        """The reader names; None when the service failed."""
        result, names = scard.SCardListReaders(context, [])
        if result == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        return [str(name) for name in names] if result == _OK else None

    @staticmethod
    def _states(names: list[str], known: dict[str, int]) -> list[tuple[str, int]]:
        return [(name, known.get(name, scard.SCARD_STATE_UNAWARE)) for name in [*names, PNP_NOTIFICATION]]

    def _observe(self, up: bool, names: list[str]) -> None:
        self.observed = True
        if up != self.service_up or names != self.reader_names:
            if self.service_up and not up:
                log.warning("PC/SC service unavailable; the passport reader is offline until it returns")
            self.service_up, self.reader_names = up, names
            self.changed()

    def _release(self) -> None:
        with self._context_lock:
            context, self._context = self._context, None
        if context is not None:
            try:
                scard.SCardReleaseContext(context)
            except Exception:
                log.debug("PC/SC context release failed", exc_info=True)
