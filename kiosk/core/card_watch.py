"""The card-removal policy (``journey.card_removal``): watch the document after a successful read.

With ``"wipe"``, taking the document off the reader after it was read, on any screen from face
until the done screen, ends the session: everything of the citizen is wiped and the start screen
shown, with the reason ``card_removed``. The reader is asked on its owner thread every
:data:`POLL_INTERVAL_S`; answers come back to the journey thread through the port's ``post``, so
neither the journey thread nor the GUI thread ever waits on the reader. Each watch carries the
identify step's epoch: a wipe, a finish or a step back to identify bumps it, which ends the watch.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from drivers.common import DeviceError

from .. import events as ev
from .journey import JourneyState, WipeReason

if TYPE_CHECKING:
    from .port import StepContext

log = logging.getLogger(__name__)

#: Seconds between two presence questions to the reader.
POLL_INTERVAL_S = 0.5
#: "Gone" answers in a row that count as a removal: a card slid a little on a contactless reader
#: can miss one poll, and a false wipe would throw away the citizen's work.
REMOVAL_CONFIRMATIONS = 2
#: Screens on which a removal wipes the session.
WIPE_STATES = frozenset({JourneyState.FACE, JourneyState.FORM, JourneyState.REVIEW})
#: Screens on which the watch goes on without acting: the submission is being stored or its
#: receipt printed, and a submission that failed returns to review, where the policy applies again.
WAIT_STATES = frozenset({JourneyState.SUBMITTING, JourneyState.PRINTING})


class CardWatch:
    """Asks the ID reader whether the document is still there while a policy of "wipe" applies."""

    def __init__(self, ctx: StepContext, interval_s: float = POLL_INTERVAL_S) -> None:
        """``ctx`` supplies the journey, the reader and the wipe; any thread."""
        self._ctx = ctx
        self._interval_s = interval_s
        self._epoch: int | None = None
        self._absent = 0
        #: Answers the reader has given since construction (diagnostics and tests).
        self.answers = 0

    @property
    def active(self) -> bool:
        """True while a watch is running (journey thread)."""
        return self._epoch is not None

    def start(self, epoch: int) -> None:
        """A document was read in identify step ``epoch``: watch it if the policy says so (journey thread)."""
        if self._ctx.config.journey.card_removal != "wipe":
            return
        self._epoch, self._absent = epoch, 0
        self._schedule(epoch)

    def stop(self) -> None:
        """Stop watching; an answer still in flight is dropped (journey thread)."""
        self._epoch = None

    def _schedule(self, epoch: int) -> None:
        self._ctx.post_later(self._interval_s, lambda: self._ask(epoch))

    def _current(self, epoch: int) -> bool:
        """Is watch ``epoch`` still wanted? Ends it when the session has left the watched screens."""
        if epoch != self._epoch:
            return False
        if self._ctx.stopping or self._ctx.journey.state not in WIPE_STATES | WAIT_STATES:
            self.stop()
            return False
        return True

    def _ask(self, epoch: int) -> None:
        if not self._current(epoch):
            return
        ctx = self._ctx
        try:
            future = ctx.devices["id_reader"].submit(lambda reader: reader.document_present())
        except RuntimeError:  # the reader's worker has stopped: shutting down
            self.stop()
            return
        future.add_done_callback(lambda f: ctx.post(lambda: self._answered(f, epoch)))

    def _answered(self, future: Future[Any], epoch: int) -> None:
        if not self._current(epoch):
            return
        try:
            present = bool(future.result())
        except DeviceError as exc:
            # The reader could not say: a fault is no proof that the card is gone.
            log.debug("card presence unknown: %s", type(exc).__name__)
            present = True
        self.answers += 1
        self._absent = 0 if present else self._absent + 1
        if self._absent >= REMOVAL_CONFIRMATIONS and self._ctx.journey.state in WIPE_STATES:
            self._removed()
            return
        self._schedule(epoch)

    def _removed(self) -> None:
        ctx = self._ctx
        log.info("document removed at %s: wiping the session", ctx.journey.state.value)
        self.stop()
        ctx.events.publish(ev.CARD_REMOVED)
        ctx.session_wiped(ctx.journey.wipe(WipeReason.CARD_REMOVED))
        ctx.publish()
