"""The drivers package keeps its place: imports and library confinement (module size and
docstrings: ``tests/test_module_rules.py``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "drivers"
MODULES = sorted(ROOT.rglob("*.py"))
FORBIDDEN_PROJECT = {"kiosk", "ui", "sync", "offline_cache"}
#: library → the only sub-packages of drivers allowed to import it
CONFINED = {
    "cv2": ("camera", "face", "doccam"),
    "escpos": ("printer",),
    "zxingcpp": ("scanner",),
    "smartcard": ("idcard",),
    "PySide6": (),
    "httpx": (),
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_stay_in_their_layer(path):
    roots = imported_roots(path)
    assert not roots & FORBIDDEN_PROJECT
    family = path.relative_to(ROOT).parts[0]
    for library, allowed in CONFINED.items():
        if library in roots:
            assert family in allowed, f"{library} imported outside drivers/{{{','.join(allowed)}}}"


def test_idcard_and_printer_do_not_pull_in_opencv():
    code = (
        "import sys, drivers.common, drivers.idcard, drivers.printer;"
        "assert 'cv2' not in sys.modules, 'cv2';"
        "assert not any(m.split('.')[0] in {'kiosk','ui','sync','offline_cache','PySide6'} for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT.parent)


def test_camera_does_not_pull_in_escpos():
    code = "import sys, drivers.camera; assert 'escpos' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT.parent)
