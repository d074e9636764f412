"""The Chinese faces of the platform's documents, kept small for fpdf2 (``central.certificate_pdf``).

fpdf2 parses the whole font file for every document and subsets it again when the document is
written: with Noto CJK's 65,000 glyphs that took about a second per face and document, most of
a certificate's issuing time. Here each face is subset once to the characters this process's
documents have used so far (its *working font*); fpdf2 loads that small font instead, and a
document that needs a character the working font lacks makes it grow (rebuilt from the full
face with the new characters, a second or so, then cached). What is embedded does not change:
fpdf2 still subsets to the document's own glyphs, with the same outlines and widths. A character
the full face lacks stays missing, as it would be with the full face. A working font past
``MAX_CHARS`` starts again from what the document in hand needs, so memory stays bounded.

Working fonts are files in a private temporary folder of this process (fpdf2 loads fonts from
files), each version written once and never changed, removed at exit; the folders of processes
that ended without their exit handlers (a server stopped by a signal) are removed by the next
process that makes one.

Thread rule: any thread; growing and loading fonts into a document are serialised by a lock.
"""

from __future__ import annotations

import atexit
import io
import os
import shutil
import tempfile
import threading
from pathlib import Path

from fontTools import subset, ttLib
from fpdf import FPDF
from fpdf.fonts import TTFFont

#: A working font holding more characters than this starts again (about 1 MB per face).
MAX_CHARS = 4000
#: What every working font holds from the start: printable ASCII.
BASE_CHARS = frozenset(range(0x20, 0x7F))
_PREFIX = "egov-fonts-"
_KEEP_OUT = ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta"]  # as fpdf2 drops them


class _Face:
    """One face of a font collection, with the characters it has and its current working font."""

    def __init__(self, path: str, index: int) -> None:
        self.path, self.index = path, index
        self.has = frozenset(ttLib.TTFont(path, fontNumber=index, lazy=True).getBestCmap())
        self.chars: frozenset[int] = frozenset()
        self.file: Path | None = None

    def build(self, chars: frozenset[int], folder: Path, version: int) -> None:
        """Make the working font of ``chars`` (those the face has) in ``folder``."""
        font = ttLib.TTFont(self.path, fontNumber=self.index, lazy=True, recalcTimestamp=False)
        options = subset.Options(notdef_outline=True, recommended_glyphs=True,
                                 name_IDs=["*"], name_languages=["*"], desubroutinize=True)
        options.drop_tables += _KEEP_OUT
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(chars & self.has))
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        file = folder / f"working-{version}.otf"
        file.write_bytes(out.getvalue())
        if self.file is not None:
            self.file.unlink(missing_ok=True)  # documents loading it hold it under the lock
        self.chars, self.file = chars, file


def _remove_stale_folders() -> None:
    """Remove the working-font folders of this user's processes that ended without running
    their exit handlers (a server stopped by a signal)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX):].split("-")[0]
        try:
            stale = pid.isdigit() and not Path(f"/proc/{pid}").exists() \
                and folder.stat().st_uid == os.getuid()
        except OSError:
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)


class WorkingFonts:
    """The working fonts of the faces ``{key: (file, index in the collection)}``, where a key
    is the family and style given to fpdf2, e.g. ``("sans", "")``."""

    def __init__(self) -> None:
        """No face loaded yet (``add_to`` loads them at the first document)."""
        self._lock = threading.Lock()
        self._faces: dict[tuple[str, str], _Face] = {}
        self._folder: Path | None = None
        self._version = 0

    def _private_folder(self) -> Path:
        if self._folder is None or not self._folder.exists():
            _remove_stale_folders()
            self._folder = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))  # 0700
            atexit.register(shutil.rmtree, self._folder, True)
            for face in self._faces.values():  # gone with a cleaned temporary folder
                face.file = None
        return self._folder

    def _built(self, face: _Face, chars: frozenset[int]) -> None:
        self._version += 1
        face.build(chars, self._private_folder(), self._version)

    def add_to(self, pdf: FPDF, faces: dict[tuple[str, str], tuple[str, int]]) -> None:
        """Add each face's working font to ``pdf`` (made at the first call)."""
        with self._lock:
            for (family, style), (path, index) in faces.items():
                face = self._faces.get((family, style))
                if face is None or (face.path, face.index) != (path, index):
                    face = self._faces[(family, style)] = _Face(path, index)
                if face.file is None or not face.file.exists():
                    self._built(face, face.chars | BASE_CHARS)
                assert face.file is not None
                pdf.add_font(family, style, str(face.file))
                # The bounding boxes of the working font hold for any subset of it: recomputing
                # them (drawing every glyph) when fpdf2 writes its subset was half the time left.
                font = pdf.fonts[f"{family.lower()}{style}"]
                if isinstance(font, TTFFont):
                    font.ttfont.recalcBBoxes = False

    def grow(self, missing: dict[tuple[str, str], set[int]],
             used: dict[tuple[str, str], set[int]]) -> bool:
        """Add the characters ``missing`` from each face's working font (those the face has);
        True when any was added, so a document drawn again would find them. A working font
        that would pass ``MAX_CHARS`` starts again from the characters the document ``used``
        and those it misses."""
        grew = False
        with self._lock:
            for key, chars in missing.items():
                face = self._faces.get(key)
                wanted = frozenset(chars) & face.has - face.chars if face else frozenset()
                if face is None or not wanted:
                    continue
                base = face.chars if len(face.chars) + len(wanted) <= MAX_CHARS \
                    else BASE_CHARS | used.get(key, set())
                self._built(face, base | wanted)
                grew = True
        return grew


#: The process's working fonts (every document of every thread shares them).
WORKING_FONTS = WorkingFonts()
