"""Plain-Python events raised by the application core.

The core knows nothing of Qt. Anything that wants to hear about the journey (the Qt bridge in
``ui/``, the audit log, tests) subscribes a callable to an :class:`EventHub`. Handlers are called
on whichever thread raised the event (the journey thread, a device owner thread, the sync worker),
so a subscriber that touches a GUI must hop to its own thread; the Qt bridge does this with a
queued signal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .safe_log import log_exception

log = logging.getLogger(__name__)

#: Names of the events the core raises, all in the past tense.
JOURNEY_CHANGED = "journey_changed"
CARD_READ = "card_read"
CARD_REMOVED = "card_removed"
READ_FAILED = "read_failed"
FACE_CAPTURED = "face_captured"
PREVIEW_FRAME_UPDATED = "preview_frame_updated"
#: A new document-camera preview image is ready (the scanning step's latest-only slot).
PAGE_FRAME_UPDATED = "page_frame_updated"
#: A page of a material was taken (``pages``: how many the session holds now; no image).
PAGE_SCANNED = "page_scanned"
SUBMISSION_QUEUED = "submission_queued"
RECEIPT_PRINTED = "receipt_printed"
RECEIPT_PRINT_FAILED = "receipt_print_failed"
DEVICE_STATUS_CHANGED = "device_status_changed"
SESSION_WIPED = "session_wiped"
STAFF_CALLED = "staff_called"
SYNC_PROGRESSED = "sync_progressed"
#: A 网证 code identified the citizen (``proved_by``), or was refused (``reason``); no personal data.
NETID_VERIFIED = "netid_verified"
NETID_REFUSED = "netid_refused"
#: A receipt's progress address of this platform was scanned on the start screen
#: (``receipt_number``, ``token``: the token opens the case, so never log or record it).
RECEIPT_CODE_SCANNED = "receipt_code_scanned"
#: A bug surfaced on a core thread (``where``, ``error``: the exception's type name only).
UNEXPECTED_ERROR = "unexpected_error"
#: The nightly restart window says: exit now with ``exit_code`` (the UI quits, systemd restarts).
RESTART_DUE = "restart_due"


@dataclass(frozen=True)
class Event:
    """One thing that happened, with the data a subscriber needs and nothing personal.

    ``data`` may carry a journey snapshot (which holds the current citizen's data for the screen)
    but events are never logged with their data: see :meth:`describe`.
    """

    name: str
    data: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """A log-safe one-line description: the event name and the keys it carries."""
        return f"{self.name}({', '.join(sorted(self.data))})"


Handler = Callable[[Event], None]


class EventHub:
    """A small thread-safe publish/subscribe hub.

    ``publish`` may be called from any thread; handlers run synchronously on the publishing
    thread. A failing handler is logged and does not stop the others, so a broken screen can
    never stop a submission from being queued.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handlers: list[Handler] = []

    def subscribe(self, handler: Handler) -> Callable[[], None]:
        """Register ``handler``; returns a function that removes it again."""
        with self._lock:
            self._handlers.append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._handlers:
                    self._handlers.remove(handler)

        return unsubscribe

    def publish(self, name: str, **data: Any) -> Event:
        """Raise the event ``name`` with ``data`` to every subscriber (any thread)."""
        event = Event(name, data)
        with self._lock:
            handlers = list(self._handlers)
        for handler in handlers:
            try:
                handler(event)
            except Exception:
                log_exception(log, "event handler failed for %s", event.describe())
        return event
