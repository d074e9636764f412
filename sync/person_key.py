"""Naming a citizen to the platform without their ID number: ``PersonKeyClient``.

The terminal sends ``person_hash(person key, document number)``
(:func:`egov_protocol.cases.person_hash`), never the number itself. The platform's person key
comes from the signed ``GET /v1/person-cases/key`` and is kept in memory for ``person_key_ttl_s``
(one request fewer per citizen; a rotated key is picked up within that time). The progress
lookups (:mod:`sync.person_cases`) and the certificate requests (:mod:`sync.certificates`) are
both this client with requests of their own.

Errors as :class:`~sync.client.CentralClient`'s, and a key of the wrong size is a
:class:`~egov_protocol.errors.CentralProtocolError`. Blocking network I/O on the caller's (worker)
thread; safe to share between threads. Neither the number nor the hash is logged.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from egov_protocol.cases import PERSON_KEY_PATH, parse_person_key, person_hash
from egov_protocol.protocol import API_PREFIX

from .client import CentralClient

#: How long the person key is reused before it is fetched again.
PERSON_KEY_TTL_S = 600.0


class PersonKeyClient(CentralClient):
    """A :class:`~sync.client.CentralClient` that can name a person by their document number.

    Arguments as ``CentralClient``'s, and ``person_key_ttl_s`` (how long a fetched key is used)
    and ``clock`` (monotonic seconds; tests replace it)."""

    def __init__(self, *args: Any, person_key_ttl_s: float = PERSON_KEY_TTL_S,
                 clock: Callable[[], float] = time.monotonic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._person_key_ttl_s = person_key_ttl_s
        self._clock = clock
        self._key_lock = threading.Lock()
        self._person_key: tuple[bytes, float] | None = None

    def person_key(self) -> bytes:
        """The platform's person key, fetched (signed request) when the one held is older than
        the TTL (worker thread)."""
        now = self._clock()
        with self._key_lock:
            if self._person_key is not None and now - self._person_key[1] < self._person_key_ttl_s:
                return self._person_key[0]
        # Fetched outside the lock: a slow platform holds up no other lookup's cached answer.
        key = parse_person_key(self._person_key_answer())[1]
        with self._key_lock:
            self._person_key = (key, now)
        return key

    def holder(self, document_number: str) -> str:
        """The ``person_hash`` naming the holder of ``document_number`` (worker thread)."""
        return person_hash(self.person_key(), document_number)

    def _person_key_answer(self) -> object:
        # A subclass with its own reading of answers (sync.person_cases) overrides this.
        response = self._signed("GET", PERSON_KEY_PATH.removeprefix(API_PREFIX), None)
        self._expect(response, {200})
        return self._json(response)
