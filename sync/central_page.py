"""The operators' HTML page of the reference platform: what arrived, from which terminal.

It shows receipt numbers, services, terminals and times only, never personal data.
"""

from __future__ import annotations

from html import escape

from .central_fleet_page import FLEET_STYLE, render_fleet

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


_LEVELS = {5: "非常满意 Very satisfied", 4: "满意 Satisfied", 3: "基本满意 Fairly satisfied",
           2: "不满意 Dissatisfied", 1: "非常不满意 Very dissatisfied"}


def _ratings(counts: dict[int, int] | None) -> str:
    if counts is None:
        return ""
    rows = [[_LEVELS[level], counts.get(level, 0)] for level in sorted(_LEVELS, reverse=True)]
    return ("<h2>好差评 Ratings</h2>"
            f'<p class="muted">{sum(counts.values())} ratings received.</p>'
            + _table(["Level", "Count"], rows, ""))


def render_index(total: int, submissions: list[dict], terminals: list[dict],
                 ratings: dict[int, int] | None = None) -> str:
    """The page for ``GET /``: applications (newest first; not the ratings), the fleet (rows of
    :func:`sync.central_fleet.fleet_view`), and the 好差评
    ratings per level (``ratings``, when given)."""
    submission_rows = [
        [s["receipt_number"], s["service_id"], s["terminal_id"], s["received_at"],
         s["central_receipt"]]
        for s in submissions
    ]
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>egov-kiosk central platform</title>"
        f"<style>{_STYLE}{FLEET_STYLE}</style></head><body>"
        "<h1>Received applications 已接收的申报</h1>"
        f'<p class="muted">{total} application{"" if total == 1 else "s"} in total (好差评 ratings are counted '
        'below); '
        f'newest {len(submissions)} shown.</p>'
        + _table(
            ["Receipt number", "Service", "Terminal", "Received (UTC)", "Central receipt"],
            submission_rows,
            "Nothing received yet.",
        )
        + "<h2>Fleet 终端</h2>"
        + render_fleet(terminals)
        + _ratings(ratings)
        + '<p class="muted"><a href="/docs">API documentation (OpenAPI)</a></p></body></html>'
    )
