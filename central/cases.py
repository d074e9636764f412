"""The lifecycle of a case: what a received application may become, and who may move it.

Every application the platform receives is a case (``central.cases_store``). Its status moves
only along ``TRANSITIONS``::

    received ──受理 accept──────────────► accepted ──办结 complete──► completed
       │  └──补正 request_corrections──► corrections_requested
       │                                    │ (the citizen re-submits at a terminal)
       │                                    ▼
       │                                 resubmitted ──accept / request_corrections / reject──►
       └──不予受理 reject──────────────► rejected

``completed`` and ``rejected`` are final. A note is required where the action affects what
the citizen is told (what to fix, why refused, what the result is); it is shown to the citizen
on the progress page and at the terminal, so it must hold no personal data.

Pure functions and constants only: no database, no I/O (unit-tested on their own).
"""

from __future__ import annotations

from dataclasses import dataclass

from egov_protocol.cases import (
    ACCEPTED,
    COMPLETED,
    CORRECTIONS_REQUESTED,
    RECEIVED,
    REJECTED,
    RESUBMITTED,
    STATUSES,  # noqa: F401  (the case statuses, for the routers)
)

FINAL = frozenset({REJECTED, COMPLETED})

ACCEPT = "accept"
REQUEST_CORRECTIONS = "request_corrections"
REJECT = "reject"
COMPLETE = "complete"
RESUBMIT = "resubmit"
#: What a case worker may do; ``RESUBMIT`` is the terminal's (a 补正 re-submission arrived).
WORKER_ACTIONS = (ACCEPT, REQUEST_CORRECTIONS, REJECT, COMPLETE)

#: (action, from status) -> to status; anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (ACCEPT, RECEIVED): ACCEPTED,
    (ACCEPT, RESUBMITTED): ACCEPTED,
    (REQUEST_CORRECTIONS, RECEIVED): CORRECTIONS_REQUESTED,
    (REQUEST_CORRECTIONS, RESUBMITTED): CORRECTIONS_REQUESTED,
    (REJECT, RECEIVED): REJECTED,
    (REJECT, RESUBMITTED): REJECTED,
    (COMPLETE, ACCEPTED): COMPLETED,
    (RESUBMIT, CORRECTIONS_REQUESTED): RESUBMITTED,
}

#: Actions whose note the citizen reads: it may not be empty.
NOTE_REQUIRED = frozenset({REQUEST_CORRECTIONS, REJECT, COMPLETE})
MAX_NOTE = 1000

#: How a completed case ends: a notice to collect the result at the hall, or a certificate
#: the platform issues (``central.cases_hooks``).
RESULT_PICKUP = "pickup"
RESULT_CERTIFICATE = "certificate"
RESULTS = (RESULT_PICKUP, RESULT_CERTIFICATE)

LABELS = {
    RECEIVED: "已接收 Received",
    ACCEPTED: "已受理 Accepted",
    CORRECTIONS_REQUESTED: "待补正 Corrections requested",
    RESUBMITTED: "已补正 Re-submitted",
    REJECTED: "不予受理 Rejected",
    COMPLETED: "已办结 Completed",
}
ACTION_LABELS = {
    ACCEPT: "受理 Accept",
    REQUEST_CORRECTIONS: "补正 Request corrections",
    REJECT: "不予受理 Reject",
    COMPLETE: "办结 Complete",
    RESUBMIT: "补正提交 Re-submitted",
}
#: What the citizen should do next, by status (the note adds the details).
NEXT_STEPS = {
    RECEIVED: "等待窗口审核，无需操作 Wait: the application is being checked",
    ACCEPTED: "已受理，等待办结 Accepted: wait for the result",
    CORRECTIONS_REQUESTED: "请按说明补正后在自助终端重新提交 Correct as described and re-submit "
                           "at a self-service terminal",
    RESUBMITTED: "补正材料已收到，等待审核 Corrections received: wait for the check",
    REJECTED: "不予受理，原因见说明 Not accepted: see the reason",
    COMPLETED: "已办结，见办理结果 Completed: see the result",
}


class TransitionRefused(Exception):
    """The action is not allowed from the case's status, or its note or result is missing."""


@dataclass(frozen=True)
class Transition:
    """One allowed step: from ``before`` to ``after`` by ``action``, with the cleaned note."""

    action: str
    before: str
    after: str
    note: str
    result: str | None = None


def allowed_actions(status: str) -> list[str]:
    """The case worker's actions allowed from ``status``, in ``WORKER_ACTIONS`` order."""
    return [action for action in WORKER_ACTIONS if (action, status) in TRANSITIONS]


def clean_note(note: object) -> str:
    """A note as stored: text, stripped, control characters other than newlines removed."""
    if not isinstance(note, str):
        return ""
    return "".join(ch for ch in note if ch == "\n" or ch.isprintable()).strip()


def transition(status: str, action: str, note: object = "", result: str | None = None
               ) -> Transition:
    """The step ``action`` takes a case in ``status`` to. Raises ``TransitionRefused`` when
    the action is not allowed from there, a required note is empty or too long, or a
    completion has no known result (``RESULTS``)."""
    after = TRANSITIONS.get((action, status))
    if after is None:
        label = LABELS.get(status, status)
        raise TransitionRefused(f"{ACTION_LABELS.get(action, action)} is not possible for a "
                                f"case that is {label}")
    text = clean_note(note)
    if action == COMPLETE:
        if result not in RESULTS:
            raise TransitionRefused(f"a completion needs a result: one of {', '.join(RESULTS)}")
        if result == RESULT_CERTIFICATE and not text:
            text = "证明已出具 Certificate issued"
    elif result is not None:
        raise TransitionRefused("only a completion has a result")
    if action in NOTE_REQUIRED and not text:
        raise TransitionRefused(f"{ACTION_LABELS[action]} needs a note for the citizen "
                                "(what to fix, why, or what the result is)")
    if len(text) > MAX_NOTE:
        raise TransitionRefused(f"the note is longer than {MAX_NOTE} characters")
    return Transition(action, status, after, text, result)


def is_final(status: str) -> bool:
    """True for ``completed`` and ``rejected``: nothing moves the case any more."""
    return status in FINAL
