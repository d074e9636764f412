"""``CentralClient``'s request for the status changes of this terminal's cases
(``GET /v1/case-updates``, ``egov_protocol.cases``), a mixin over the client's signed-request
helpers so the client module stays one reader's length.

Errors as the client's (``sync.client``): a 404 is a ``CentralRejected`` (a platform older than
the route), nonsense (not JSON, wrong fields, an update past the cursor) a
``CentralProtocolError`` whose message never quotes the answer's values beyond a field name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from egov_protocol.cases import MAX_UPDATES, UPDATES_PATH, StatusUpdate, parse_status_updates
from egov_protocol.errors import CentralProtocolError
from egov_protocol.protocol import API_PREFIX

if TYPE_CHECKING:
    import httpx

#: The route below the API prefix, as ``CentralClient._signed`` takes it.
_PATH = UPDATES_PATH.removeprefix(API_PREFIX)


class CaseUpdatesFetching:
    """Mixin of ``CentralClient``; uses the client's members declared below."""

    _signed: Callable[..., httpx.Response]
    _expect: Callable[[httpx.Response, set[int]], None]
    _json: Callable[[httpx.Response], object]

    def fetch_case_updates(self, since: int, limit: int = MAX_UPDATES) -> tuple[list[StatusUpdate], int]:
        """Status changes after cursor ``since`` of the cases this terminal took, oldest first,
        and the cursor to ask with next (``since`` when there are none). Blocking; worker thread."""
        query = urlencode({"since": since, "limit": max(1, min(limit, MAX_UPDATES))})
        response = self._signed("GET", f"{_PATH}?{query}", None)
        self._expect(response, {200})
        updates, cursor = parse_status_updates(self._json(response))
        if cursor < since:
            raise CentralProtocolError("updates: the next cursor is behind the one asked with")
        return updates, cursor
