"""A stand-in for the national network identity (国家网络身份认证, "网证") verification service.

The real service needs government credentials; this simulator issues and verifies signed,
expiring, single-use test codes so the terminal's 网证 path can be shown and tested. It is a
standalone FastAPI service (``python -m netid_sim``) and imports no terminal or platform package;
the terminal reaches it over HTTP through :mod:`sync.netid`.

A code is ``NETID1.<payload>.<signature>`` (base64url): the payload holds only a random code id,
the issue and expiry times, and the issuer; the identity stays in the service, so the QR code
carries no personal data. Signatures are Ed25519 with a key generated when the service starts.
"""

from __future__ import annotations

from .codes import CodeBook, Refusal, Refused

__all__ = ["CodeBook", "Refusal", "Refused"]
