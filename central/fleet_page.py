"""The fleet table of the operators' page: one row per terminal, problems highlighted.

Rows come from :func:`central.fleet.fleet_view`. A stale heartbeat, a device in fault, a
device that needs attention (paper low), an open "call staff" alert, an audit head that went back
and a sequence gap each get a class the page's style colours. Only ids, states, counts and times:
nothing personal.
"""

from __future__ import annotations

from html import escape

FLEET_STYLE = """
.fleet td { vertical-align: top; }
.bad { background: #fde2e1; color: #8a1c13; font-weight: 600; }
.warn { background: #fff4cf; color: #6b4d00; }
.tag { display: inline-block; padding: 0 .35rem; border-radius: .25rem; margin: 0 .2rem .2rem 0; }
"""

_HEADERS = ["Terminal", "Site", "Status", "Last heartbeat (UTC)", "App", "Devices", "Queue",
            "Oldest unsent", "Free disk", "Alerts", "Audit head", "Submissions", "Sequence gap"]


def _td(html: str, css: str = "") -> str:
    return f'<td class="{css}">{html}</td>' if css else f"<td>{html}</td>"


def _text(value: object) -> str:
    return escape("" if value is None else str(value))


def _duration(seconds: object) -> str:
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


def _devices(rows: list[dict]) -> str:
    tags = []
    for row in rows:
        css = {"fault": "tag bad", "attention": "tag warn"}.get(row["level"], "tag")
        detail = f" ({row['detail']})" if row["detail"] else ""
        tags.append(f'<span class="{css}">{_text(row["role"])}: {_text(row["state"])}{_text(detail)}</span>')
    return "<br>".join(tags)


def _alerts(alerts: list[dict]) -> tuple[str, str]:
    if not alerts:
        return "", ""
    parts = []
    for alert in alerts[:5]:
        what = "call staff" if alert["reason"] in ("", "citizen") else f"call staff: {alert['reason']}"
        when = alert["raised_at"].replace("T", " ")[:19]
        state = "OPEN" if alert["open"] else "cleared"
        css = "tag bad" if alert["open"] else "tag"
        parts.append(f'<span class="{css}">{_text(state)} {_text(what)} at {_text(when)} '
                     f'({_text(alert["screen"])})</span>')
    return "<br>".join(parts), "bad" if any(a["open"] for a in alerts) else ""


def _row(terminal: dict) -> str:
    fleet = terminal.get("fleet") or {}
    stale = fleet.get("stale", True)
    last = fleet.get("last_heartbeat_at")
    heartbeat = "never" if not last else (
        f"{_text(str(last).replace('T', ' ')[:19])} ({_duration(fleet.get('heartbeat_age_s'))} ago)")
    if stale:
        heartbeat += " <strong>STALE</strong>"
    alerts, alerts_css = _alerts(fleet.get("alerts") or [])
    audit = fleet.get("audit") or {}
    audit_html = f"{audit.get('seq', 0)} {_text(str(audit.get('hash', ''))[:12])}"
    if audit.get("problem"):  # the platform's anchor: a truncation or rewrite, at any age
        when = str(audit.get("problem_at") or "").replace("T", " ")[:19]
        audit_html += f" <strong>AUDIT {_text(audit['problem'])} ({_text(when)})</strong>"
    elif audit.get("regressed"):
        audit_html += " <strong>WENT BACK</strong>"
    gap = terminal.get("sequence_gap")
    cells = [
        _td(_text(terminal["terminal_id"])), _td(_text(terminal.get("site"))),
        _td(_text(terminal.get("status")), "bad" if terminal.get("status") != "active" else ""),
        _td(heartbeat, "bad" if stale else ""), _td(_text(fleet.get("app_version"))),
        _td(_devices(fleet.get("devices") or [])), _td(_text(fleet.get("queue_depth"))),
        _td(_duration(fleet.get("oldest_unsent_age_s")),
            "warn" if (fleet.get("oldest_unsent_age_s") or 0) > 3600 else ""),
        _td(_disk(fleet.get("free_disk_bytes"))), _td(alerts, alerts_css),
        _td(audit_html, "bad" if audit.get("regressed") else ""),
        _td(_text(terminal.get("submissions"))), _td(_text(gap), "bad" if gap else ""),
    ]
    return f'<tr id="terminal-{_text(terminal["terminal_id"])}">' + "".join(cells) + "</tr>"


def _urgency(terminal: dict) -> tuple:
    """Terminals that need someone first: open alerts, then faults, stale, gaps; then by id."""
    fleet = terminal.get("fleet") or {}
    return (not any(a.get("open") for a in fleet.get("alerts") or []),
            not any(d.get("level") == "fault" for d in fleet.get("devices") or []),
            not (fleet.get("stale") or (fleet.get("audit") or {}).get("regressed")),
            not terminal.get("sequence_gap"), terminal["terminal_id"])


def render_fleet(terminals: list[dict]) -> str:
    """The fleet table, terminals that need someone first (or a note when there is none)."""
    if not terminals:
        return '<p class="muted">No terminal registered yet.</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in _HEADERS)
    body = "".join(_row(t) for t in sorted(terminals, key=_urgency))
    return f'<table class="fleet"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
