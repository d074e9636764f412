"""The journey port: everything a step of the journey may use, and the hand-offs it reports.

The steps (:mod:`.identify`, :mod:`.card_watch`, :mod:`.left_document`, :mod:`.face_preview`,
:mod:`.storing`, :mod:`.printing`) see the terminal only through :class:`StepContext`. The core's
:class:`~kiosk.core.runtime.JourneyRuntime` implements it; unit tests hand the steps a fake
(``tests/kiosk/steps/``). A step never starts another step: it reports a hand-off (``stored``,
``receipt settled``, ``document read``, ``session wiped``) and the runtime decides, in one place,
what follows.

Threads: every member is for the journey thread, except :meth:`StepContext.post`,
:meth:`StepContext.post_later` and :attr:`StepContext.stopping`, which any thread may use (device
callbacks hand their results back with ``post``).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..config import KioskConfig
    from ..devices import DeviceManager
    from ..events import EventHub
    from ..submission import Accepted
    from .journey import Journey, WipeReason


class StepContext(Protocol):
    """What the core gives a step: state, devices, events, configuration, scheduling, hand-offs."""

    @property
    def config(self) -> KioskConfig:
        """The terminal's configuration (read only)."""
        ...

    @property
    def events(self) -> EventHub:
        """Where a step publishes what happened (past-tense events, :mod:`kiosk.events`)."""
        ...

    @property
    def data_dir(self) -> Path:
        """The terminal's data directory."""
        ...

    @property
    def language(self) -> str:
        """The language the citizen at the terminal chose."""
        ...

    @property
    def journey(self) -> Journey:
        """The journey state machine and the session it holds (journey thread only)."""
        ...

    @property
    def devices(self) -> DeviceManager:
        """The devices, each with its owner thread; raises before the services started."""
        ...

    @property
    def stopping(self) -> bool:
        """True once the terminal is shutting down (any thread)."""
        ...

    def now(self) -> float:
        """The journey's monotonic clock, in seconds."""
        ...

    def post(self, action: Callable[[], object], *, publish: bool = False) -> Future[None]:
        """Run ``action`` on the journey thread (any thread); ``publish`` refreshes the screen after.

        A failure is logged without its message and reported as ``unexpected_error``; a refused
        transition is ignored. After shutdown the future is already done and nothing runs.
        """
        ...

    def post_later(self, delay_s: float, action: Callable[[], object]) -> Future[None]:
        """Like :meth:`post`, ``delay_s`` seconds from now, without a thread of its own."""
        ...

    def publish(self) -> None:
        """Rebuild the screen model and publish it (``journey_changed``)."""
        ...

    # ---- hand-offs: the step reports, the runtime decides what follows ----------------------
    def document_read(self) -> None:
        """A document was read (or a 补正 starts from the progress screen with the one read): the
        face step's preview starts, or in state ``progress`` the lookup of the citizen's cases."""
        ...

    def when_reader_clear(self, then: Callable[[], None]) -> None:
        """Identify wants a fresh document: ``then`` runs once none is left lying on the reader."""
        ...

    def submission_stored(self, accepted: Accepted) -> None:
        """Storing put the submission in the outbox: sync is nudged and printing starts."""
        ...

    def receipt_settled(self) -> None:
        """Printing is over (printed or not): the done screen reminds to take the document back."""
        ...

    def session_wiped(self, reason: WipeReason | None) -> None:
        """A step wiped the session (e.g. the card was taken away): every step forgets the citizen."""
        ...
