"""The drivers package keeps its place: imports, library confinement, docstrings, module size."""

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


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_public_definitions_have_docstrings_and_modules_are_small(path):
    source = path.read_text("utf-8")
    assert len(source.splitlines()) <= 400
    tree = ast.parse(source)
    assert ast.get_docstring(tree), "module docstring"
    missing = []
    # Module-level definitions and the methods of classes (nested helpers are private).
    nodes = list(tree.body)
    nodes += [m for n in tree.body if isinstance(n, ast.ClassDef) for m in n.body]
    for node in nodes:
        definition = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if definition and not node.name.startswith("_") and not ast.get_docstring(node):
            missing.append(node.name)
    assert not missing


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
