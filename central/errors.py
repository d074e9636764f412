"""What the platform's store refuses; the web application maps each to an HTTP answer."""

from __future__ import annotations


class ReceiptNumberTaken(Exception):
    """A different submission id already uses this receipt number."""


class TerminalKeyConflict(Exception):
    """The terminal id or key is registered differently."""


class TokenRejected(Exception):
    """The enrollment token is unknown, used, expired or meant for another terminal."""


class NonceReplayed(Exception):
    """A request nonce this terminal already used (a replay); nothing was stored."""


class BlobMismatch(Exception):
    """An uploaded blob does not hash to its name, or a part does not fit."""


class TerminalChanged(Exception):
    """The terminal was revoked, or its key replaced, after its request's signature was checked
    (against a key cached by this worker); nothing was stored. ``status`` is the HTTP answer."""

    def __init__(self, status: int, detail: str) -> None:
        """``status`` 403 (revoked) or 401 (key replaced or unknown)."""
        super().__init__(detail)
        self.status = status
        self.detail = detail
