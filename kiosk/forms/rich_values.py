"""Values of the picker-only field types: ``address`` (GB/T 2260 division + detail) and ``signature``.

An address value is ``{"code": "110101", "names": ["北京市", "东城区"], "detail": "景山前街4号"}``.
The names always come from the bundled division table, never from the input, so a value that
passes is consistent with its code. A code that is known but not a leaf (the citizen has picked
a province and not yet a county) is kept with an ``address_incomplete`` error, so the picker can
show where the citizen is; an unknown code is refused outright. Text (an ID card's address, as
prefill) is matched by its leading division names.

A signature value is ``{"w": W, "h": H, "strokes": [[x0, y0, x1, y1, ...], ...]}`` in integer
pixels of the pad: compact, enough to redraw it small on the review screen, and sealed with the
rest of the answers. These functions run on the journey thread and never log a value.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any, TypeGuard

from kiosk.divisions import Divisions, bundled_divisions

MAX_DETAIL_LENGTH = 120
MAX_PAD_SIDE = 4000
MAX_STROKES = 300
MAX_POINTS = 20000


def clean_text(raw: str) -> str:
    """NFKC-folded, control characters removed, stripped (as for every single-line answer)."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def address_value(raw: object, divisions: Divisions | None = None) -> tuple[dict[str, Any] | None, str | None]:
    """``(value, error code)`` for an address entry: a mapping ``{"code", "detail"}`` or text.

    Error codes: ``invalid_address`` (unknown code, wrong shape, detail too long with no value
    kept), ``address_incomplete`` (a county is still to be picked), ``too_long`` (detail).
    """
    table = divisions or bundled_divisions()
    if isinstance(raw, str):
        match = table.match_address(clean_text(raw))
        if match is None:
            return None, "invalid_address"
        value = {"code": match.code, "names": list(match.names), "detail": match.rest[:MAX_DETAIL_LENGTH]}
        return value, None if match.leaf else "address_incomplete"
    if not isinstance(raw, Mapping):
        return None, "invalid_address"
    code = raw.get("code") or ""
    detail = raw.get("detail") or ""
    if not isinstance(code, str) or not isinstance(detail, str):
        return None, "invalid_address"
    detail = clean_text(detail)
    if not code:
        return (None, None) if not detail else ({"code": "", "names": [], "detail": detail[:MAX_DETAIL_LENGTH]},
                                                "address_incomplete")
    if code not in table:
        return None, "invalid_address"
    value = {"code": code, "names": [d.name for d in table.path(code)], "detail": detail[:MAX_DETAIL_LENGTH]}
    if len(detail) > MAX_DETAIL_LENGTH:
        return value, "too_long"
    return value, None if table.is_leaf(code) else "address_incomplete"


def address_text(value: Mapping[str, Any]) -> str:
    """How an address reads on the review screen and the printed form."""
    return "".join(value.get("names") or ()) + (value.get("detail") or "")


def signature_value(raw: object) -> tuple[dict[str, Any] | None, str | None]:
    """``(value, error code)`` for strokes from the signature pad; no strokes is no value.

    Error code ``invalid_signature`` for anything that is not a well-formed, bounded drawing.
    """
    if not isinstance(raw, Mapping):
        return None, "invalid_signature"
    width, height, strokes = raw.get("w"), raw.get("h"), raw.get("strokes")
    if not (_whole(width) and _whole(height)
            and 1 <= width <= MAX_PAD_SIDE and 1 <= height <= MAX_PAD_SIDE):
        return None, "invalid_signature"
    if not isinstance(strokes, (list, tuple)) or len(strokes) > MAX_STROKES:
        return None, "invalid_signature"
    clean: list[list[int]] = []
    total = 0
    for stroke in strokes:
        if not isinstance(stroke, (list, tuple)) or len(stroke) < 2 or len(stroke) % 2:
            return None, "invalid_signature"
        if not all(_whole(v) for v in stroke):
            return None, "invalid_signature"
        points = [int(v) for v in stroke]
        # The pad reports pixels inside itself; a finger sliding off the edge is clamped.
        points = [min(max(v, 0), int(width if i % 2 == 0 else height)) for i, v in enumerate(points)]
        total += len(points) // 2
        clean.append(points)
    if total > MAX_POINTS:
        return None, "invalid_signature"
    if not clean:
        return None, None
    return {"w": int(width), "h": int(height), "strokes": clean}, None


def _whole(value: object) -> TypeGuard[float]:
    # QML hands numbers over as floats; accept whole-valued ones, never bools.
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer() and abs(value) < 1e9
