"""Exceptions raised by ``sync``.

The tree::

    SyncError
    ├── EnvelopeError           a sealed envelope is malformed, tampered with, or not for us
    │   └── NotAddressedToKey   no key offered opens its content key (sealed to another key)
    ├── KeyFileError            a key file is unreadable, malformed or readable by others
    ├── CentralUnavailable      no usable answer from the central platform: retry later
    │   ├── NotCentralServer    something answered without ``X-Egov-Central: 1`` (captive portal)
    │   └── CentralProtocolError  the platform's answer was malformed (bad JSON, wrong fields)
    └── CentralRejected         the platform refused this request (``status``, ``reason``)

``CentralUnavailable`` and its subclasses are transient: the record stays queued. A
``CentralRejected`` is the platform's word on one record (quarantine it), except 401/403
(``is_auth``), which concern the terminal and pause the queue instead.
"""

from __future__ import annotations


class SyncError(Exception):
    """Base class of every error raised by ``sync``."""


class EnvelopeError(SyncError):
    """The bytes are not a valid envelope for this recipient and signer."""


class NotAddressedToKey(EnvelopeError):
    """None of the recipient keys tried unwraps the envelope's content key: it was sealed to
    another key (a platform key retired past its grace period, say) or its wrap was altered."""


class KeyFileError(SyncError):
    """A key file cannot be used (unreadable, malformed, or permissions too open)."""


class CentralUnavailable(SyncError):
    """The central platform could not be reached or gave no usable answer; retry later."""


class NotCentralServer(CentralUnavailable):
    """An answer came without the platform header: a captive portal, proxy page or wrong host."""


class CentralProtocolError(CentralUnavailable):
    """The platform's answer carried the header but its body was not what the protocol says."""


class CentralRejected(SyncError):
    """The platform refused the request with an HTTP status and a reason."""

    def __init__(self, status: int, reason: str) -> None:
        """``status`` is the HTTP status code, ``reason`` the platform's explanation."""
        super().__init__(f"central platform rejected the request: {status} {reason}")
        self.status = status
        self.reason = reason

    @property
    def is_auth(self) -> bool:
        """True for 401/403: the terminal itself is not accepted, not this one record."""
        return self.status in (401, 403)

    @property
    def is_conflict(self) -> bool:
        """True for 409: the id is already taken by a different submission."""
        return self.status == 409


class InsecurePlatformUrl(ValueError):
    """The platform URL is ``http://`` to another machine: refused before anything is sent."""
