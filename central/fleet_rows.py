"""The fleet table of the operators' page as display rows: one per terminal, problems marked.

Rows come from :func:`central.fleet.fleet_view`; ``templates/fleet.html`` renders what this
returns (and escapes it). A stale heartbeat, a device in fault, a device that needs attention
(paper low), an open "call staff" alert, an audit head that went back and a sequence gap each get
a class the page's style colours. Only ids, states, counts and times: nothing personal.
"""

from __future__ import annotations

HEADERS = ["Terminal", "Site", "Status", "Last heartbeat (UTC)", "App", "Devices", "Queue",
           "Oldest unsent", "Free disk", "Alerts", "Audit head", "Applications (ratings)",
           "Sequence gap"]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def duration(seconds: object) -> str:
    """``seconds`` as "42 s", "5 min", "3 h 2 min" or "2 d 4 h" ("" when not a number)."""
    if not isinstance(seconds, (int, float)):
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


def _disk(value: object) -> str:
    return f"{int(value) / 1024 ** 3:.1f} GB" if isinstance(value, (int, float)) else ""


def _devices(rows: list[dict]) -> list[dict]:
    return [{"css": {"fault": "tag bad", "attention": "tag warn"}.get(row["level"], "tag"),
             "text": f"{_text(row['role'])}: {_text(row['state'])}"
                     + (f" ({row['detail']})" if row["detail"] else "")}
            for row in rows]


def _alerts(alerts: list[dict]) -> list[dict]:
    tags = []
    for alert in alerts[:5]:
        what = "call staff" if alert["reason"] in ("", "citizen") else f"call staff: {alert['reason']}"
        when = alert["raised_at"].replace("T", " ")[:19]
        state = "OPEN" if alert["open"] else "cleared"
        tags.append({"css": "tag bad" if alert["open"] else "tag",
                     "text": f"{state} {what} at {when} ({_text(alert['screen'])})"})
    return tags


def _received(terminal: dict) -> str:
    """Applications and 好差评 ratings received from the terminal, apart: "12 (3)"."""
    total, ratings = terminal.get("submissions"), terminal.get("ratings") or 0
    if total is None:
        return ""
    return _text(total - ratings) + (f" ({_text(ratings)})" if ratings else "")


def _audit_flag(audit: dict) -> str:
    """What the audit cell shouts: the platform's anchor saw a truncation, rewrite or gap (kept at any
    age), or recent heartbeats went back."""
    if audit.get("problem"):
        when = str(audit.get("problem_at") or "").replace("T", " ")[:19]
        return f"AUDIT {audit['problem']} ({when})"
    return "WENT BACK" if audit.get("regressed") else ""


def _cell(text: object = "", css: str = "", *, tags: list[dict] | None = None,
          strong: str = "") -> dict:
    return {"text": _text(text), "css": css, "tags": tags, "strong": strong}


def display_row(terminal: dict) -> dict:
    """One terminal as ``{"id", "cells"}``; each cell ``{"text", "css", "tags", "strong"}``."""
    fleet = terminal.get("fleet") or {}
    stale = fleet.get("stale", True)
    last = fleet.get("last_heartbeat_at")
    heartbeat = "never" if not last else (
        f"{str(last).replace('T', ' ')[:19]} ({duration(fleet.get('heartbeat_age_s'))} ago)")
    alerts = fleet.get("alerts") or []
    audit = fleet.get("audit") or {}
    gap = terminal.get("sequence_gap")
    return {"id": _text(terminal["terminal_id"]), "cells": [
        _cell(terminal["terminal_id"]), _cell(terminal.get("site")),
        _cell(terminal.get("status"), "bad" if terminal.get("status") != "active" else ""),
        _cell(heartbeat, "bad" if stale else "", strong="STALE" if stale else ""),
        _version_cell(fleet),
        _cell(tags=_devices(fleet.get("devices") or [])), _cell(fleet.get("queue_depth")),
        _cell(duration(fleet.get("oldest_unsent_age_s")),
              "warn" if (fleet.get("oldest_unsent_age_s") or 0) > 3600 else ""),
        _cell(_disk(fleet.get("free_disk_bytes"))),
        _cell(tags=_alerts(alerts), css="bad" if any(a["open"] for a in alerts) else ""),
        _cell(f"{audit.get('seq', 0)} {str(audit.get('hash', ''))[:12]}",
              "bad" if audit.get("regressed") else "", strong=_audit_flag(audit)),
        _cell(_received(terminal)), _cell(gap, "bad" if gap else ""),
    ]}


def _version_cell(fleet: dict) -> dict:
    """The release the terminal runs (else the package version), on trial or rolled back."""
    update = fleet.get("update") or {}
    version = update.get("release") or fleet.get("app_version")
    if update.get("trial"):
        return _cell(version, "warn", strong="TRIAL")
    if update.get("last_outcome") == "rolled back":
        return _cell(f"{version}; {update.get('last_version')} rolled back: "
                     f"{update.get('last_reason') or ''}", "bad")
    return _cell(version)


def _urgency(terminal: dict) -> tuple:
    """Terminals that need someone first: open alerts, then faults, stale, gaps; then by id."""
    fleet = terminal.get("fleet") or {}
    return (not any(a.get("open") for a in fleet.get("alerts") or []),
            not any(d.get("level") == "fault" for d in fleet.get("devices") or []),
            not (fleet.get("stale") or (fleet.get("audit") or {}).get("regressed")),
            not terminal.get("sequence_gap"), terminal["terminal_id"])


def display_rows(terminals: list[dict]) -> list[dict]:
    """The fleet's display rows, terminals that need someone first."""
    return [display_row(t) for t in sorted(terminals, key=_urgency)]
