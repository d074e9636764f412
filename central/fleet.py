"""The fleet as operators see it: each terminal's latest heartbeat, read for problems.

Heartbeats are stored as received (``CentralStore.add_heartbeats``); this module reads the recent
ones per terminal and derives what the fleet page highlights: a terminal whose heartbeat is
overdue (``stale``), devices in fault or needing attention (``paper_near_end``), "call staff"
alerts (open while the newest heartbeat still carries them, kept for a day after), an audit head
that went backwards (events removed on the terminal), and sequence gaps. Nothing personal is in a
heartbeat. Any thread (the store opens one connection per thread).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from .audit_anchor import anchors
from .tables import heartbeats

if TYPE_CHECKING:
    from .store import CentralStore

#: Twice the terminal's heartbeat interval (300 s) plus slack: later than this is "stale".
STALE_AFTER_S = 900.0
#: How long alerts stay on the page after they were raised.
ALERT_WINDOW_S = 86400.0
FAULT_STATES = frozenset({"offline", "no_device", "hardware_error", "user_error"})
#: Device details that need staff soon although the device still works (XFS "paper low").
ATTENTION_DETAILS = frozenset({"paper_near_end", "paper_low", "toner_low", "cover_open"})


def _parse(stamp: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(stamp))
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def device_rows(devices: Any) -> list[dict[str, str]]:
    """Devices of a heartbeat as ``{role, state, action, detail, level}``; ``level`` is ``fault``,
    ``attention`` or ``ok``. Takes the older ``{role: state}`` form too."""
    rows = []
    for role, value in sorted((devices or {}).items()) if isinstance(devices, dict) else []:
        entry = value if isinstance(value, dict) else {"state": value}
        state, action = str(entry.get("state", "")), str(entry.get("action", "") or "none")
        detail = str(entry.get("detail", "") or "")
        level = ("fault" if state in FAULT_STATES else
                 "attention" if detail in ATTENTION_DETAILS or action not in ("none", "") else "ok")
        rows.append({"role": str(role), "state": state, "action": action, "detail": detail,
                     "level": level})
    return rows


def fleet_view(store: CentralStore, now: datetime | None = None,
               stale_after_s: float = STALE_AFTER_S) -> list[dict[str, Any]]:
    """``store.terminals()`` with a ``fleet`` dict per terminal: ``last_heartbeat_at``,
    ``heartbeat_age_s``, ``stale``, ``devices`` (see :func:`device_rows`), ``alerts`` (newest
    first, each with ``open``), ``audit`` (``seq``, ``hash``, ``regressed``, and ``problem``/
    ``problem_at`` from ``central.audit_anchor``: a truncation, rewrite or gap at any age), ``app_version``,
    ``update`` (``release``, ``trial``, ``last_outcome``, ``last_version``, ``last_reason``),
    ``free_disk_bytes``, ``queue_depth``, ``oldest_unsent_age_s`` (numbers or None)."""
    now = now or datetime.now(UTC)
    since = (now - timedelta(seconds=ALERT_WINDOW_S)).isoformat()
    terminals = store.terminals()
    h = heartbeats.c
    recent: dict[str, list[str]] = {t["terminal_id"]: [] for t in terminals}
    with store.db.transaction(write=False) as conn:
        anchored = anchors(conn)
        for terminal_id, body in conn.execute(select(h.terminal_id, h.body)
                                              .where(h.sent_at >= since)
                                              .order_by(h.terminal_id, h.sent_at)):
            if terminal_id in recent:
                recent[terminal_id].append(body)
    for terminal in terminals:
        beat = terminal.get("last_heartbeat") or {}
        bodies = []
        for body in recent[terminal["terminal_id"]]:
            try:
                bodies.append(json.loads(body))
            except ValueError:
                continue
        terminal["fleet"] = _summary(beat, bodies, now, stale_after_s)
        anchor = anchored.get(terminal["terminal_id"]) or {}
        audit = terminal["fleet"]["audit"]
        audit["problem"] = anchor.get("problem")  # kept at any age, unlike recent heartbeats
        audit["problem_at"] = anchor.get("problem_at")
        audit["regressed"] = audit["regressed"] or anchor.get("problem") is not None
    return terminals


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError, OverflowError):
        return 0


def _short(value: Any, limit: int = 40) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _update(update: Any) -> dict[str, str | None]:
    """The heartbeat's software release and last update outcome (``kiosk.releases``)."""
    update, last = _dict(update), _dict(_dict(update).get("last"))
    return {"release": _short(update.get("release")), "trial": _short(update.get("trial")),
            "last_outcome": _short(last.get("outcome")), "last_version": _short(last.get("version")),
            "last_reason": _short(last.get("reason"), 200)}


def release_counts(terminals: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per release version: how many terminals run it, run it on trial, and rolled it back
    (their last outcome), from ``fleet_view``'s rows."""
    counts: dict[str, dict[str, int]] = {}

    def row(version: str) -> dict[str, int]:
        return counts.setdefault(version, {"running": 0, "on_trial": 0, "rolled_back": 0})

    for terminal in terminals:
        update = (terminal.get("fleet") or {}).get("update") or {}
        if update.get("release"):
            row(update["release"])["running"] += 1
        if update.get("trial"):
            row(update["trial"])["on_trial"] += 1
        if update.get("last_outcome") == "rolled back" and update.get("last_version"):
            row(update["last_version"])["rolled_back"] += 1
    return counts


def _summary(beat: Any, recent: list[Any], now: datetime, stale_after_s: float) -> dict[str, Any]:
    # Heartbeats are whatever a terminal sent: every field is read defensively, so one broken
    # terminal cannot take the operators' page down.
    beat = _dict(beat)
    recent = [_dict(body) for body in recent]
    sent = _parse(beat.get("sent_at")) if beat else None
    try:
        age = None if sent is None else max(0, round((now - sent).total_seconds()))
    except OverflowError:
        sent, age = None, None
    current = beat.get("alerts") if isinstance(beat.get("alerts"), list) else []
    open_ids = {a.get("id") for a in current if isinstance(a, dict)}
    alerts: dict[str, dict[str, Any]] = {}
    for body in [*recent, beat]:
        for alert in body.get("alerts") if isinstance(body.get("alerts"), list) else []:
            if isinstance(alert, dict) and isinstance(alert.get("id"), str):
                alerts[alert["id"]] = {"id": alert["id"], "raised_at": str(alert.get("raised_at", "")),
                                       "screen": str(alert.get("screen", "")),
                                       "reason": str(alert.get("reason", "")),
                                       "open": alert["id"] in open_ids}
    audit = _dict(beat.get("audit"))
    seq = _int(audit.get("seq"))
    seen = [_int(_dict(b.get("audit")).get("seq")) for b in recent]
    def number(key: str) -> int | float | None:
        value = beat.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        try:
            return value if math.isfinite(value) and abs(value) < 1e15 else None
        except OverflowError:  # an int too large for a float
            return None

    return {
        "last_heartbeat_at": None if sent is None else str(beat.get("sent_at")),
        "heartbeat_age_s": age,
        "stale": age is None or age > stale_after_s,
        "devices": device_rows(beat.get("devices")),
        "alerts": sorted(alerts.values(), key=lambda a: a["raised_at"], reverse=True),
        "audit": {"seq": seq, "hash": str(audit.get("hash") or ""), "regressed": max(seen, default=0) > seq},
        "app_version": None if _dict(beat.get("versions")).get("app") is None
        else str(_dict(beat.get("versions")).get("app")),
        "update": _update(beat.get("update")),
        "free_disk_bytes": number("free_disk_bytes"),
        "queue_depth": number("queue_depth"),
        "oldest_unsent_age_s": number("oldest_unsent_age_s"),
    }
