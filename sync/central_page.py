"""The operators' HTML page of the reference platform: what arrived, from which terminal.

It shows receipt numbers, services, terminals and times only, never personal data.
"""

from __future__ import annotations

from html import escape

_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem; color: #1b1b1b; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { border-bottom: 1px solid #ccc; padding: .35rem .8rem; text-align: left; }
th { background: #f0f3f7; }
.muted { color: #555; }
"""


def _cell(value: object) -> str:
    return f"<td>{escape('' if value is None else str(value))}</td>"


def _table(headers: list[str], rows: list[list[object]], empty: str) -> str:
    if not rows:
        return f'<p class="muted">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_index(total: int, submissions: list[dict], terminals: list[dict]) -> str:
    """The page for ``GET /``: submissions (newest first) and the terminal fleet."""
    submission_rows = [
        [s["receipt_number"], s["service_id"], s["terminal_id"], s["received_at"],
         s["central_receipt"]]
        for s in submissions
    ]
    terminal_rows = []
    for t in terminals:
        beat = t.get("last_heartbeat") or {}
        terminal_rows.append([
            t["terminal_id"], t["site"], t.get("status"), t["submissions"],
            t["last_received_at"], beat.get("sent_at"), beat.get("queue_depth"),
            beat.get("oldest_unsent_age_s"),
            ", ".join(f"{k}={v}" for k, v in sorted((beat.get("devices") or {}).items())),
            t.get("sequence_gap"),
        ])
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>egov-kiosk central platform</title>"
        f"<style>{_STYLE}</style></head><body>"
        "<h1>Received submissions 已接收的申报</h1>"
        f'<p class="muted">{total} in total; newest {len(submissions)} shown.</p>'
        + _table(
            ["Receipt number", "Service", "Terminal", "Received (UTC)", "Central receipt"],
            submission_rows,
            "Nothing received yet.",
        )
        + "<h2>Fleet 终端</h2>"
        + _table(
            ["Terminal", "Site", "Status", "Submissions", "Last received (UTC)",
             "Last heartbeat (UTC)", "Queue depth", "Oldest unsent (s)", "Devices",
             "Sequence gap"],
            terminal_rows,
            "No terminal registered yet.",
        )
        + '<p class="muted"><a href="/docs">API documentation (OpenAPI)</a></p></body></html>'
    )
