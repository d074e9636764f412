"""The operators' HTML pages, rendered from the Jinja2 templates in ``central/templates``
(autoescaped). They show receipt numbers, services, terminals, times and counts, never personal
data.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from egov_protocol.documents import KINDS

from .fleet_rows import HEADERS, display_rows

LEVELS = [(5, "非常满意 Very satisfied"), (4, "满意 Satisfied"), (3, "基本满意 Fairly satisfied"),
          (2, "不满意 Dissatisfied"), (1, "非常不满意 Very dissatisfied")]

templates = Environment(loader=FileSystemLoader(Path(__file__).with_name("templates")),
                        autoescape=select_autoescape(["html"]), trim_blocks=False)


def render(name: str, **context) -> str:
    """Template ``name`` with ``context`` (``operator``: the logged-in operator's session)."""
    return templates.get_template(name).render(**context)


def render_index(total: int, submissions: list[dict] | None, terminals: list[dict] | None,
                 ratings: dict[int, int] | None = None, operator=None) -> str:
    """The page for ``GET /``: submissions (newest first), the terminal fleet (rows of
    :func:`central.fleet.fleet_view`), the 好差评 ratings per level, and the forms the
    operator's role allows. ``None`` leaves a part out."""
    return render("index.html", total=total, submissions=submissions,
                  rows=None if terminals is None else display_rows(terminals),
                  headers=HEADERS, ratings=ratings, levels=LEVELS, kinds=KINDS,
                  operator=operator)
