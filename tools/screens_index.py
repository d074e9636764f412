"""Write docs/screens/README.md: an index of the screenshots `make screens` saved there.

The screenshots are named ``<orientation>_<language>_<mode>_<nn>_<screen>.png`` by
tests/ui/test_accessibility_audit.py (run with KIOSK_SCREENS_DIR); this groups them by screen,
one table row per screen and one column per orientation, language and mode.

    .venv/bin/python tools/screens_index.py docs/screens
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

NAME = re.compile(r"(?P<orientation>portrait|landscape)_(?P<language>zh-CN|en)_(?P<mode>normal|elder)"
                  r"_(?P<index>\d+)_(?P<screen>\w+)\.png")
COLUMNS = [(o, lang, mode) for o in ("portrait", "landscape")
           for lang, mode in (("zh-CN", "normal"), ("zh-CN", "elder"), ("en", "normal"))]
LABELS = {"zh-CN": "中文", "en": "English", "normal": "normal", "elder": "长辈版 elder mode"}


def index(folder: Path) -> str:
    """The README text for the screenshots in ``folder``."""
    shots: dict[tuple[int, str], dict[tuple[str, str, str], str]] = {}
    for path in sorted(folder.glob("*.png")):
        match = NAME.fullmatch(path.name)
        if match:
            key = (int(match["index"]), match["screen"])
            shots.setdefault(key, {})[(match["orientation"], match["language"], match["mode"])] = path.name
    lines = [
        "# Screens of the citizen journey",
        "",
        "Every screen of the journey, in portrait (1080×1920) and landscape (1920×1080), in Chinese and",
        "English, normal and elder mode (长辈版), shown at 45 % and reduced to 256 colours. Regenerate with",
        "`make screens` (the accessibility audit, tests/ui/test_accessibility_audit.py, walks the journey",
        "and saves them); do not edit by hand. Submitting, printing, the idle warning, the passport key",
        "and the printer fallback are shown by giving the window a snapshot with those fields set.",
        "",
    ]
    for orientation in ("portrait", "landscape"):
        columns = [c for c in COLUMNS if c[0] == orientation]
        lines += [f"## {orientation.capitalize()}", ""]
        lines.append("| Screen | " + " | ".join(f"{LABELS[c[1]]}, {LABELS[c[2]]}" for c in columns) + " |")
        lines.append("|---" * (len(columns) + 1) + "|")
        for (number, screen), files in sorted(shots.items()):
            cells = [f"[<img src=\"{files[c]}\" width=\"{160 if orientation == 'portrait' else 280}\">]({files[c]})"
                     if c in files else "" for c in columns]
            lines.append(f"| {number:02d} {screen.replace('_', ' ')} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Write the index of the screenshots in ``argv[1]`` (default docs/screens); 0 on success."""
    folder = Path(argv[1] if len(argv) > 1 else "docs/screens")
    (folder / "README.md").write_text(index(folder), encoding="utf-8")
    print(f"{folder / 'README.md'}: {len(list(folder.glob('*.png')))} screenshots")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
