"""A document left on the reader never reaches the next citizen.

Two duties, both driven from the core's journey thread; presence is asked on the reader's owner
thread every :data:`POLL_INTERVAL_S` and the answers come back through the port's ``post``, so
neither the journey thread nor the GUI thread ever waits on the reader:

* **Take it back.** On the done screen and after every wipe, while a document lies on the reader,
  the screen model says ``card_left = "take_back"`` (the UI shows and speaks "请取回您的证件 /
  Please take your ID card") until the reader reports it gone. After ``journey.card_left_alert_s``
  staff are alerted once (``staff_called`` with reason ``card_left``).
* **Present it again.** The identify step reads only a document presented during it. When the
  step starts while a document lies there (the previous citizen's, or this citizen's after "Back"
  from the face step), ``card_left = "present_again"`` asks to take it off and place it again,
  and the read starts only after the reader reported it gone.

While the reader cannot tell (``document_presence()`` None: pcscd or the reader is gone), nothing
changes: the screen keeps what it showed, the identify step keeps waiting, and the reader's status
is refreshed with every question so it shows OFFLINE meanwhile. A card lying there when the service
returns still lies there; one gone by then counts as taken off.

Readers that cannot report presence (``IdReader.reports_presence`` False, e.g. ``sam`` without
``presence_by_find``): the done screen always shows the reminder, a wipe cannot (nothing tells
whether a card is there), and the identify step reads at once. Such SAM modules find only a card
not yet selected since it was laid down, so a card left lying is not read again until lifted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from drivers.common import DeviceError

from .. import events as ev
from .journey import JourneyState

if TYPE_CHECKING:
    from .port import StepContext

log = logging.getLogger(__name__)

#: Seconds between two presence questions to the reader.
POLL_INTERVAL_S = 0.5
#: "Gone" answers in a row that count as taken away once a document was seen (a contactless card
#: that slid a little can miss one poll).
REMOVAL_CONFIRMATIONS = 2

TAKE_BACK = "take_back"
PRESENT_AGAIN = "present_again"


class LeftDocumentGuard:
    """Reminds to take a document back and keeps one from before out of the identify step."""

    def __init__(self, ctx: StepContext, interval_s: float = POLL_INTERVAL_S) -> None:
        """``ctx`` supplies the journey, the reader, the clock and the events; any thread."""
        self._ctx = ctx
        self._interval_s = interval_s
        self._epoch = 0
        self._then: Callable[[], None] | None = None
        self._seen = False  # a document was seen on the reader during this watch
        self._absent = 0
        self._since: float | None = None  # clock time the document was first seen left there
        self._alerted = False
        self._checking = False  # the identify step's first presence answer is awaited
        self._after_check: list[Callable[[], None]] = []
        #: What the screen shows: "" (nothing), TAKE_BACK or PRESENT_AGAIN (journey thread).
        self.state = ""
        #: Presence answers received (diagnostics and tests).
        self.answers = 0

    @property
    def checking(self) -> bool:
        """True while the identify step waits for its first presence answer (journey thread)."""
        return self._checking

    def view(self) -> dict[str, Any]:
        """The snapshot field ``card_left`` (journey thread)."""
        return {"card_left": self.state}

    def remind(self) -> None:
        """The done screen is shown or a session was wiped: remind while a document lies there
        (journey thread, once the devices are open)."""
        if not self._ctx.devices["id_reader"].driver.reports_presence:
            self._end()
            if self._ctx.journey.state is JourneyState.DONE:
                self.state = TAKE_BACK  # cannot tell: remind on the done screen all the same
            return
        self._watch(None)

    def before_read(self, then: Callable[[], None]) -> None:
        """The identify step starts: call ``then`` (the first read) once no document from before
        lies on the reader (journey thread)."""
        if not self._ctx.devices["id_reader"].driver.reports_presence:
            self._end()
            then()
            return
        self._watch(then)

    def after_check(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the identify step's first presence answer is in (journey thread).

        The demo's "place a document" waits for it: a card laid down at the very moment the
        identify screen appeared would otherwise count as lying there from before.
        """
        if self._checking:
            self._after_check.append(action)
        else:
            action()

    def _checked(self) -> None:
        self._checking = False
        waiting, self._after_check = self._after_check, []
        for action in waiting:
            action()

    def stop(self) -> None:
        """Stop watching and show nothing; an answer in flight is dropped (journey thread)."""
        self._end()

    def _end(self) -> None:
        self._checked()
        self._epoch += 1
        self._then = None
        self.state = ""
        self._since = None
        self._alerted = False

    def _watch(self, then: Callable[[], None] | None) -> None:
        self._checked()
        self._epoch += 1
        self._then, self._seen, self._absent = then, False, 0
        self._checking = then is not None
        self._ask(self._epoch)

    def _ask(self, epoch: int) -> None:
        ctx = self._ctx
        if epoch != self._epoch or ctx.stopping:
            return
        devices = ctx.devices

        def ask(reader: Any) -> bool | None:
            try:
                answer: bool | None = reader.document_presence()
                return answer
            finally:
                # No read runs while a document from before is awaited: this keeps the reader's
                # status true meanwhile (e.g. OFFLINE while pcscd is gone, and back).
                devices.refresh(devices["id_reader"])

        try:
            future = devices["id_reader"].submit(ask)
        except RuntimeError:  # the reader's worker has stopped: shutting down
            return
        future.add_done_callback(lambda f: ctx.post(lambda: self._answered(f, epoch)))

    def _schedule(self, epoch: int) -> None:
        self._ctx.post_later(self._interval_s, lambda: self._ask(epoch))

    def _answered(self, future: Future[Any], epoch: int) -> None:
        if epoch != self._epoch:
            return
        ctx = self._ctx
        try:
            answer = future.result()
        except DeviceError as exc:
            # The reader failed: the read itself will report its fault.
            log.debug("document presence unknown: %s", type(exc).__name__)
            answer = False
        self.answers += 1
        if answer is None:
            # The reader cannot tell now (its service or the reader is gone): neither "lying
            # there" nor "taken off"; what it says once it is back decides.
            self._schedule(epoch)
            return
        present = bool(answer)
        if self._then is not None and ctx.journey.state is not JourneyState.IDENTIFY:
            self._then = None  # the citizen left the identify step: only remind from here on
        before = self.state
        if present:
            self._seen, self._absent = True, 0
            self.state = PRESENT_AGAIN if self._then is not None else TAKE_BACK
            if self._since is None:
                self._since = ctx.now()
            self._alert_staff_when_due()
            self._schedule(epoch)
        else:
            self._absent += 1
            if self._seen and self._absent < REMOVAL_CONFIRMATIONS:
                self._schedule(epoch)
                return
            then = self._then
            if self._seen:
                log.info("document taken off the reader")
                ctx.events.publish(ev.CARD_REMOVED)
            self._end()
            if then is not None:
                then()
        if self.state != before:
            ctx.publish()
        self._checked()

    def _alert_staff_when_due(self) -> None:
        ctx = self._ctx
        if self._alerted or self._since is None:
            return
        if ctx.now() - self._since < ctx.config.journey.card_left_alert_s:
            return
        self._alerted = True
        log.warning("a document has been left on the reader: staff alerted")
        ctx.events.publish(ev.STAFF_CALLED, terminal_id=ctx.config.terminal.terminal_id,
                           screen=ctx.journey.state.value, reason="card_left")
