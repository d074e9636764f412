"""What happens when a case is completed (办结) with a certificate: the app's own certificate
office issues the certificate its service yields (``central.certificates.case_certificate_issuer``,
given to ``run_on_completed`` by the case routers), then the hooks other parts of the platform
register run.

The interface::

    from central.cases_hooks import CompletedCase, register_on_completed

    def issue(case: CompletedCase) -> str:
        ...                       # make the document from case.payload
        return "certificate CERT-2026-000123 issued"   # a line for the case history

    register_on_completed(issue)

A hook runs on a request thread of the platform before the status changes: if it raises, the
case is not completed and the case worker sees the error. A hook returns a short line for the
case's history (what it issued, no personal data) or None. The module ``central.certificates``,
when it exists, is imported once before the first completion so it can register itself.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

CERTIFICATES_MODULE = "central.certificates"


@dataclass(frozen=True)
class CompletedCase:
    """A case being completed with a certificate: its ids, the service, the worker's note and
    the decrypted payload of its latest submission (personal data: use, never log)."""

    case_id: str
    receipt_number: str
    service_id: str | None
    submission_id: str
    operator: str
    note: str
    payload: dict = field(repr=False)
    #: When the platform received the case's first submission (ISO 8601).
    received_at: str = ""


OnCompleted = Callable[[CompletedCase], "str | None"]

_hooks: list[OnCompleted] = []
_lock = threading.Lock()
_loaded = False


class NoCertificateIssuer(Exception):
    """Nothing is registered to issue a certificate on this platform."""


def register_on_completed(hook: OnCompleted) -> None:
    """Add ``hook`` (once; registering it again does nothing)."""
    with _lock:
        if hook not in _hooks:
            _hooks.append(hook)


def unregister_on_completed(hook: OnCompleted) -> None:
    """Remove ``hook`` (tests; nothing if it was not registered)."""
    with _lock:
        if hook in _hooks:
            _hooks.remove(hook)


def _load_issuers() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        _loaded = True
    if importlib.util.find_spec(CERTIFICATES_MODULE) is not None:
        importlib.import_module(CERTIFICATES_MODULE)


def run_on_completed(case: CompletedCase, own: OnCompleted | None = None) -> list[str]:
    """Run the app's ``own`` issuer (the platform's certificate office, which answers None
    for a service it issues nothing for), then every registered hook in order; their history
    lines. Raises ``NoCertificateIssuer`` when nothing issued and no hook is registered, and
    whatever a hook raises."""
    _load_issuers()
    with _lock:
        hooks = list(_hooks)
    issued = own(case) if own is not None else None
    if not hooks and not issued:
        raise NoCertificateIssuer("no certificate issuer is configured on this platform for "
                                  "this service: complete the case with a pickup notice")
    return [line for line in (issued, *(hook(case) for hook in hooks)) if line]
