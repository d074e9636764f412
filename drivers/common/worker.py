"""The single owner thread of one device."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

R = TypeVar("R")


class DeviceWorker:
    """Runs every call into one driver on one dedicated thread, ``device-<name>``.

    Hardware libraries (pyscard, pyserial, libusb) are not safe to drive from several threads, and
    the GUI thread must never block on a device, so each device gets exactly one worker. Methods
    may be called from any thread. The thread starts lazily on the first :meth:`submit`.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._thread_id: int | None = None
        self._executor = ThreadPoolExecutor(
            max_workers=1,
            thread_name_prefix=f"device-{name}",
            initializer=self._remember_thread,
        )

    def _remember_thread(self) -> None:
        self._thread_id = threading.get_ident()

    def submit(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> Future[R]:
        """Queue ``fn(*args, **kwargs)`` on the owner thread and return its future (any thread).

        Raises :class:`RuntimeError` after :meth:`stop`.
        """
        try:
            return self._executor.submit(fn, *args, **kwargs)
        except RuntimeError as exc:
            raise RuntimeError(f"device worker {self.name!r} is stopped") from exc

    def call(self, fn: Callable[..., R], *args: Any, timeout: float | None = None, **kwargs: Any) -> R:
        """Run ``fn`` on the owner thread and wait for its result (any thread except the GUI thread).

        Called from the owner thread itself, ``fn`` runs inline instead of deadlocking. Raises
        whatever ``fn`` raised, or :class:`concurrent.futures.TimeoutError` after ``timeout``
        seconds (the call itself keeps running on the owner thread).
        """
        if self.is_current_thread():
            return fn(*args, **kwargs)
        return self.submit(fn, *args, **kwargs).result(timeout=timeout)

    def is_current_thread(self) -> bool:
        """True when called from this worker's owner thread (any thread)."""
        return self._thread_id is not None and self._thread_id == threading.get_ident()

    def stop(self, wait: bool = True) -> None:
        """Refuse new work, drop queued calls and (if ``wait``) join the thread (any thread but its own).

        The call already running finishes: drivers bound their blocking calls with timeouts.
        """
        self._executor.shutdown(wait=wait and not self.is_current_thread(), cancel_futures=True)

    def __repr__(self) -> str:
        return f"DeviceWorker({self.name!r})"
