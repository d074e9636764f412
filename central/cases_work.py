"""The case worker's work, shared by the back-office pages and the case-worker API: the queue,
opening a case (a reason required, the view recorded in the platform trail with the worker's
name and the reason), and the actions.

Thread rule: plain functions run on a request's pool thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .cases import (
    ACTION_LABELS,
    COMPLETE,
    LABELS,
    NEXT_STEPS,
    RESULT_CERTIFICATE,
    STATUSES,
    Transition,
    TransitionRefused,
    allowed_actions,
    clean_note,
)
from .cases_hooks import CompletedCase, OnCompleted, run_on_completed
from .cases_intake import CaseIntakeDesk
from .cases_store import QueueFilter
from .cases_view import OpenedSubmission, open_submission
from .certificate_facts import SERVICES
from .keyring import PlatformKeyring
from .publishing import current
from .store import CentralStore
from .trail import PlatformTrail

MIN_REASON = 4
MAX_REASON = 200


class CaseNotFound(Exception):
    """No case holds that receipt number."""


class ReasonRequired(Exception):
    """Opening a case needs a reason of ``MIN_REASON`` characters or more."""


def queue_filter(service_id: str = "", site: str = "", terminal_id: str = "",
                 status: str = "", min_age_days: float | str = 0,
                 receipt_number: str = "") -> QueueFilter:
    """A queue filter from form or query fields (an unknown status or a bad age is ignored)."""
    try:
        age = max(0.0, float(min_age_days or 0))
    except ValueError:
        age = 0.0
    return QueueFilter(service_id=service_id.strip()[:128], site=site.strip()[:64],
                       terminal_id=terminal_id.strip()[:128],
                       status=status if status in STATUSES else "", min_age_days=age,
                       receipt_number=receipt_number.strip()[:128])


def age_text(received_at: str, now: datetime | None = None) -> str:
    """How long ago: ``3 d 4 h``, ``5 h 12 min`` or ``7 min``."""
    seconds = max(0, int(((now or datetime.now(UTC)) - datetime.fromisoformat(received_at))
                         .total_seconds()))
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def service_titles(published: Path | None) -> dict[str, str]:
    """Service id -> "中文 title · English title" from the published catalog, else the
    Chinese title of a service the platform issues documents for (``certificate_facts``), so a
    platform without a published catalog (the demo's) still names them; a damaged catalog
    gives no titles from it rather than an error."""
    titles = {service: names[0] for service, names in SERVICES.items()}
    if published is None:
        return titles
    try:
        publication = current(published, "catalog")
        if publication is None:
            return titles
        catalog = publication.body
        for service in catalog.get("services", []):
            title = service.get("title") or {}
            names = [title.get(lang) for lang in ("zh-CN", "en") if title.get(lang)]
            if isinstance(service.get("id"), str) and names:
                titles[service["id"]] = " · ".join(str(name) for name in names)
        return titles
    except (OSError, ValueError, TypeError, AttributeError):
        return titles


def described(case: dict, titles: dict[str, str] | None = None) -> dict:
    """A case row with its labels: ``service_title``, ``status_label``, ``next_step``, ``age``,
    ``actions``."""
    service = case.get("service_id") or ""
    return {**case, "service_title": (titles or {}).get(service, service),
            "status_label": LABELS.get(case["status"], case["status"]),
            "next_step": NEXT_STEPS.get(case["status"], ""),
            "age": age_text(case["received_at"]),
            "actions": [(a, ACTION_LABELS[a]) for a in allowed_actions(case["status"])]}


@dataclass
class CaseWork:
    """The case desk, the platform's store, keys and trail of one app."""

    desk: CaseIntakeDesk
    store: CentralStore
    keys: PlatformKeyring
    trail: PlatformTrail
    #: The published documents folder (service titles from its catalog).
    published: Path | None = None
    titles: dict[str, str] = field(default_factory=dict)
    #: The app's certificate issuer (``central.certificates.case_certificate_issuer``).
    issuer: OnCompleted | None = None

    def __post_init__(self) -> None:
        self.titles = service_titles(self.published)

    def queue(self, where: QueueFilter, operator: str, limit: int = 200, offset: int = 0
              ) -> tuple[int, list[dict]]:
        """The queue page (applications stored without a case are filed first); the view is
        recorded in the trail (receipt numbers lead to people)."""
        self.desk.file_unfiled()
        total, rows = self.desk.cases.queue(where, limit, offset)
        self.trail.record(operator, "viewed case queue", f"{len(rows)} of {total}")
        return total, [described(row, self.titles) for row in rows]

    def case(self, receipt_number: str) -> dict:
        """A case's summary and history (no personal data). Raises ``CaseNotFound``."""
        case = self.desk.cases.case(receipt_number)
        if case is None:
            raise CaseNotFound(receipt_number)
        return described(case, self.titles)

    def summary(self, receipt_number: str, operator: str) -> dict:
        """``case`` for a worker's page or API call, the view recorded in the trail (receipt
        numbers lead to people, like the operators' submission metadata)."""
        case = self.case(receipt_number)
        self.trail.record(operator, "viewed case", case["receipt_number"])
        return case

    def open(self, receipt_number: str, operator: str, reason: str,
             submission_id: str | None = None) -> tuple[dict, OpenedSubmission]:
        """Decrypt the case's latest submission (or ``submission_id`` of it) for ``operator``,
        recording who opened which case and why. Raises ``ReasonRequired``, ``CaseNotFound``
        and ``central.cases_view.CaseUnreadable``."""
        reason = " ".join(clean_note(reason).split())
        if len(reason) < MIN_REASON:
            raise ReasonRequired(f"say why you open this case ({MIN_REASON} characters or more)")
        case = self.case(receipt_number)
        ids = [s["id"] for s in case["submissions"]]
        chosen = submission_id if submission_id and submission_id in ids else str(ids[-1])
        self.trail.record(operator, "opened case",
                          f"{case['receipt_number']} submission {chosen}: {reason[:MAX_REASON]}")
        return case, open_submission(self.store, self.keys, chosen)

    def act(self, receipt_number: str, operator: str, action: str, note: str = "",
            result: str | None = None, expected_status: str | None = None) -> Transition:
        """Apply a case worker's action; a completion with a certificate runs the issuing
        hooks first (``central.cases_hooks``) and adds their lines to the note. Recorded in the
        trail. Raises ``CaseNotFound``, ``TransitionRefused`` and whatever a hook raises."""
        case = self.case(receipt_number)
        if action not in dict(case["actions"]):
            # Checked again in the store's transaction; this only spares the hooks' work.
            raise TransitionRefused(f"{ACTION_LABELS.get(action, action)} is not possible for "
                                    f"a case that is {case['status_label']}")
        if action == COMPLETE and result == RESULT_CERTIFICATE:
            latest = case["submissions"][-1]["id"]
            opened = open_submission(self.store, self.keys, latest)
            lines = run_on_completed(CompletedCase(
                case["case_id"], case["receipt_number"], case["service_id"], latest, operator,
                clean_note(note), opened.payload, case["received_at"]), self.issuer)
            note = "\n".join([clean_note(note), *lines]).strip()
        step = self.desk.cases.act(case["case_id"], action, operator, note, result,
                                   expected_status)
        self.trail.record(operator, f"case {action}", case["receipt_number"])
        return step
