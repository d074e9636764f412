"""The Qt-free half of ``kiosk --self-test``: checks that prove the files a terminal needs are there.

Written for the frozen bundle (``make bundle``), where a data file PyInstaller missed shows up
only at run time; the source tree runs the same checks in ``make test``. Each check returns a
:class:`Check` and never raises. Runs on the calling thread (the self-test's GUI thread, before
the window exists); the face models take about a second to load.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One verdict: ``name``, whether it passed, and a short log-safe detail."""

    name: str
    ok: bool
    detail: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        """``ok   name  (detail, 0.12 s)`` for the summary."""
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name:<14} {self.detail} ({self.seconds:.2f} s)"


def run_check(name: str, probe: Callable[[], str]) -> Check:
    """Run ``probe`` (returns a detail, raises on failure) and time it."""
    started = time.perf_counter()
    try:
        detail = probe()
    except Exception as exc:
        return Check(name, False, f"{type(exc).__name__}: {exc}", time.perf_counter() - started)
    return Check(name, True, detail, time.perf_counter() - started)


def _catalog() -> str:
    from .catalog import Catalog

    catalog = Catalog.load_bundled()
    if not catalog.services:
        raise RuntimeError("the packaged catalog has no services")
    return f"{len(catalog.services)} services, {len(catalog.forms)} forms"


def _face_detector() -> str:
    import numpy as np

    from drivers.face.detect import MODEL_PATH, FaceDetector

    faces = FaceDetector().detect(np.zeros((480, 640, 3), dtype=np.uint8))
    if faces:
        raise RuntimeError("found a face in a black frame")
    return MODEL_PATH.name


def _face_matcher() -> str:
    from drivers.face.dlib_matcher import DlibMatcher, models_dir

    DlibMatcher().load()
    return f"dlib models in {models_dir()}"


def core_checks() -> list[Check]:
    """The packaged catalog, the face detector and the face matcher, each loaded for real."""
    return [
        run_check("catalog", _catalog),
        run_check("face detector", _face_detector),
        run_check("face matcher", _face_matcher),
    ]
