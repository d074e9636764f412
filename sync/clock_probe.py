"""How far this machine's clock is from the central platform's (``kioskctl doctor``).

Requests are signed with their date and the platform refuses any outside ±5 minutes, so a
terminal whose clock drifts stops delivering. The platform's clock is read from the HTTP ``Date``
header of ``GET /v1/health`` (1-second resolution), compared with the middle of the round trip.
Calling thread; one request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from egov_protocol.protocol import CENTRAL_HEADER


def _utcnow() -> datetime:
    return datetime.now(UTC)


def parse_http_date(text: str) -> datetime | None:
    """An HTTP ``Date`` (RFC 9110 IMF-fixdate, or the obsolete forms) as an aware UTC datetime,
    or ``None`` when it is not one."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def clock_skew_s(url: str, *, now: Callable[[], datetime] = _utcnow, timeout_s: float = 10.0) -> float:
    """Seconds this clock is ahead of the platform's (negative: behind). Raises ``OSError`` when
    the platform cannot be reached or does not answer as the platform (a captive portal)."""
    try:
        before = now()
        response = httpx.get(url.rstrip("/") + "/v1/health", timeout=timeout_s)
        after = now()
    except httpx.HTTPError as exc:
        raise OSError(f"central platform not reachable: {type(exc).__name__}") from None
    if CENTRAL_HEADER not in response.headers or "date" not in response.headers:
        raise OSError("the answer did not come from the central platform")
    server = parse_http_date(response.headers["date"])
    if server is None:
        raise OSError("the platform's Date header is unreadable")
    middle = before + (after - before) / 2
    return (middle - server).total_seconds()
