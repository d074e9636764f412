"""One thread that owns some state, and the only way to run work on it: post, post later, stop.

Every long-lived worker of the terminal is one of these: the journey, maintenance, the outbox
writer, face matching, the audit writer and each device (:class:`~drivers.common.DeviceWorker`).
It lives in ``drivers.common`` because drivers may import nothing above them, while the kiosk may
import drivers.

* :meth:`OwnerThread.submit` queues a call and returns its future; after :meth:`stop` it raises.
* :meth:`OwnerThread.post` queues a call whose failure is logged (type and stack, never the
  message: it may hold a citizen's data) and handed to ``on_failure``; after :meth:`stop` it
  returns a future that is already done, so a late callback from a device has nowhere to go and
  says nothing.
* :meth:`OwnerThread.post_later` runs a call on the owner thread after a delay, without a thread
  of its own: the owner thread waits for the earliest timer between jobs.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

R = TypeVar("R")

log = logging.getLogger(__name__)

#: A queued call: run it, or (when cancelled) just drop it.
_Job = tuple[Future[Any], Callable[[], Any]]


def describe_failure(exc: BaseException) -> str:
    """``module.Type`` and one line per frame: what a log may keep of an exception (no message)."""
    kind = type(exc)
    lines = [f"{kind.__module__}.{kind.__qualname__}"]
    lines += [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in traceback.extract_tb(exc.__traceback__)]
    return "\n".join(lines)


class OwnerThread:
    """A single named thread running queued calls in order, plus timers that fire on it.

    All methods may be called from any thread. The thread starts on the first call queued.
    ``on_failure(exc)`` is called on the owner thread when a :meth:`post`-ed call raises.
    """

    def __init__(self, name: str, *, on_failure: Callable[[BaseException], None] | None = None) -> None:
        self.name = name
        self._on_failure = on_failure
        self._lock = threading.Condition()
        self._ready: deque[_Job] = deque()
        self._timers: list[tuple[float, int, _Job]] = []
        self._order = itertools.count()
        self._stopped = False
        self._thread: threading.Thread | None = None
        self._thread_id: int | None = None

    # ---- queueing (any thread) ------------------------------------------------------------
    def submit(self, fn: Callable[..., R], *args: Any, **kwargs: Any) -> Future[R]:
        """Queue ``fn(*args, **kwargs)`` and return its future. Raises :class:`RuntimeError` after :meth:`stop`."""
        return self._queue(0.0, lambda: fn(*args, **kwargs))

    def submit_later(self, delay_s: float, fn: Callable[[], R]) -> Future[R]:
        """Run ``fn()`` on the owner thread once ``delay_s`` has passed; cancelling the future drops it."""
        return self._queue(delay_s, fn)

    def post(self, fn: Callable[[], object]) -> Future[None]:
        """Queue ``fn()``; a failure is logged and passed to ``on_failure``; after :meth:`stop` a done future."""
        return self.post_later(0.0, fn)

    def post_later(self, delay_s: float, fn: Callable[[], object]) -> Future[None]:
        """Like :meth:`post`, after ``delay_s`` seconds (no thread per timer); cancel the future to drop it."""
        try:
            return self._queue(delay_s, lambda: self._guarded(fn))
        except RuntimeError:  # stopped: nothing left to run it, and nothing to report
            done: Future[None] = Future()
            done.set_result(None)
            return done

    def call(self, fn: Callable[..., R], *args: Any, timeout: float | None = None, **kwargs: Any) -> R:
        """Run ``fn`` on the owner thread and wait for its result (never from the GUI thread).

        Called from the owner thread itself, ``fn`` runs inline instead of deadlocking. Raises what
        ``fn`` raised, or :class:`concurrent.futures.TimeoutError` after ``timeout`` seconds.
        """
        if self.is_current_thread():
            return fn(*args, **kwargs)
        return self.submit(fn, *args, **kwargs).result(timeout=timeout)

    def is_current_thread(self) -> bool:
        """True when called from this owner thread."""
        return self._thread_id is not None and self._thread_id == threading.get_ident()

    @property
    def stopped(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stopped

    def stop(self, wait: bool = True, *, cancel_pending: bool = True) -> None:
        """Refuse new work, drop the timers, and (if ``wait``) join the thread.

        With ``cancel_pending`` the calls still queued are dropped (their futures cancelled);
        without, they run first. The call already running always finishes. From the owner thread
        itself it never waits on itself.
        """
        with self._lock:
            self._stopped = True
            dropped = [job for _, _, job in self._timers]
            self._timers.clear()
            if cancel_pending:
                dropped += list(self._ready)
                self._ready.clear()
            self._lock.notify_all()
            thread = self._thread
        for future, _ in dropped:
            future.cancel()
        if wait and thread is not None and not self.is_current_thread():
            thread.join()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    # ---- internals ------------------------------------------------------------------------
    def _queue(self, delay_s: float, fn: Callable[[], R]) -> Future[R]:
        future: Future[R] = Future()
        with self._lock:
            if self._stopped:
                raise RuntimeError(f"{self!r} is stopped")
            if delay_s > 0:
                heapq.heappush(self._timers, (time.monotonic() + delay_s, next(self._order), (future, fn)))
            else:
                self._ready.append((future, fn))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
            self._lock.notify()
        return future

    def _guarded(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except Exception as exc:
            log.error("%s: a posted call failed: %s", self.name, describe_failure(exc))
            if self._on_failure is not None:
                self._on_failure(exc)

    def _next_job(self) -> _Job | None:
        with self._lock:
            while True:
                now = time.monotonic()
                while self._timers and self._timers[0][0] <= now:
                    self._ready.append(heapq.heappop(self._timers)[2])
                if self._ready:
                    return self._ready.popleft()
                if self._stopped:
                    return None
                self._lock.wait(self._timers[0][0] - now if self._timers else None)

    def _run(self) -> None:
        self._thread_id = threading.get_ident()
        while (job := self._next_job()) is not None:
            future, fn = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn()
            except BaseException as exc:
                future.set_exception(exc)
            else:
                future.set_result(result)
