"""What a scanned code is: a 网证 (national network identity) code, a receipt of this platform, or
neither. Pure functions on the text a scanner read (outside bytes): any thread.

* :func:`netid_code` recognises a 网证 code: ``NETID1.<payload>.<signature>``, both parts
  base64url, printable ASCII, at most :data:`MAX_NETID_CODE` characters. Whether it is genuine,
  unexpired and unused is the verification service's answer (:mod:`sync.netid`), never ours.
* :class:`ReceiptLinks` recognises the progress address a receipt of this terminal's platform
  prints as its QR code (``KioskConfig.progress_address()``, e.g.
  ``https://platform/progress/{receipt_number}?t={token}``) and gives the receipt number and the
  progress token; a link to anywhere else is not a receipt.

The texts may be personal (a 网证 code stands for a person, a receipt's token opens a case):
nothing here logs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Longest 网证 code accepted (the simulator's are about 200 characters).
MAX_NETID_CODE = 4096
NETID_PREFIX = "NETID1"
_B64URL = r"[A-Za-z0-9_-]+"
_NETID = re.compile(rf"{NETID_PREFIX}\.{_B64URL}\.{_B64URL}")
#: What a receipt number and a progress token may look like in a link (as the platform makes them).
_RECEIPT_NUMBER = r"(?P<receipt_number>[A-Za-z0-9][A-Za-z0-9-]{0,63})"
_TOKEN = r"(?P<token>[A-Za-z0-9_-]{1,128})"


def netid_code(text: str) -> str | None:
    """``text`` as a 网证 code (surrounding white space removed), or None when it is not one."""
    code = text.strip()
    if len(code) > MAX_NETID_CODE or not _NETID.fullmatch(code):
        return None
    return code


@dataclass(frozen=True)
class ReceiptLink:
    """A receipt's progress address: which receipt, and the token that opens its case (secret)."""

    receipt_number: str
    token: str

    def __repr__(self) -> str:
        return f"ReceiptLink({self.receipt_number!r}, <token>)"


class ReceiptLinks:
    """Recognises the progress addresses made from ``template`` (with ``{receipt_number}`` and
    optionally ``{token}``, as ``receipt.lookup_url`` or the platform's default)."""

    def __init__(self, template: str) -> None:
        if "{receipt_number}" not in template:
            raise ValueError("a progress address template names {receipt_number}")
        if template.count("{receipt_number}") > 1 or template.count("{token}") > 1:
            raise ValueError("a progress address template names {receipt_number} and {token} once each")
        pattern = ""
        for part in re.split(r"(\{receipt_number\}|\{token\})", template):
            pattern += {"{receipt_number}": _RECEIPT_NUMBER, "{token}": _TOKEN}.get(part, re.escape(part))
        self._pattern = re.compile(pattern)

    def parse(self, text: str) -> ReceiptLink | None:
        """The receipt behind ``text``, or None when it is no progress address of this platform."""
        if len(text) > 2048:
            return None
        found = self._pattern.fullmatch(text.strip())
        if found is None:
            return None
        groups = found.groupdict()
        return ReceiptLink(groups["receipt_number"], groups.get("token") or "")
