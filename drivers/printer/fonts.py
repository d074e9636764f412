"""Finding a CJK font for receipts: fontconfig first, then the known Debian paths."""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..common import DeviceError, ErrorAction

#: Known Debian locations, best first: (path, face index of Simplified Chinese in a collection).
KNOWN_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)


class FontNotFound(DeviceError):
    """No font with Chinese glyphs is installed or configured (install fonts-noto-cjk)."""

    default_action = ErrorAction.CONFIGURATION


@dataclass(frozen=True)
class FontFace:
    """A font file and the face index inside it (TrueType/OpenType collections hold several)."""

    path: str
    index: int = 0


def find_cjk_font(bold: bool = False) -> FontFace:
    """The Simplified Chinese font to use (cached; runs ``fc-match`` once per process).

    Raises :class:`FontNotFound` when neither fontconfig nor the known paths offer one.
    """
    return _find_cjk_font(bold)


@functools.lru_cache(maxsize=2)
def _find_cjk_font(bold: bool) -> FontFace:
    pattern = "Noto Sans CJK SC:lang=zh-cn" + (":weight=bold" if bold else "")
    face = _fc_match(pattern)
    if face is not None:
        return face
    for path, index in KNOWN_FONTS:
        if Path(path).is_file():
            return FontFace(path, index)
    raise FontNotFound("no Chinese font found; install fonts-noto-cjk or set a font path")


def _fc_match(pattern: str) -> FontFace | None:
    executable = shutil.which("fc-match")
    if executable is None:
        return None
    try:
        result = subprocess.run(
            [executable, "-f", "%{file}|%{index}|%{lang}", pattern],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, rest = result.stdout.partition("|")
    index, _, langs = rest.partition("|")
    # fc-match always answers with *some* font; accept it only if it really covers Chinese.
    if result.returncode != 0 or "zh-cn" not in langs.split("|") or not Path(path).is_file():
        return None
    return FontFace(path, int(index) if index.isdigit() else 0)
