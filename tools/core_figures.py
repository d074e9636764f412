"""Figures for the core's shape: private reaches, attribute probes, module lengths.

Run from the repository root: ``python tools/core_figures.py [module.py ...]``. Prints

* private reaches: ``x._name`` where ``x`` is not ``self`` or ``cls`` (another object's private
  member), in kiosk/, ui/, sync/, offline_cache/, drivers/ and central/;
* probes: calls of ``hasattr``/``getattr`` in kiosk/ and ui/;
* the line count of each module named on the command line.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGES = ("kiosk", "ui", "sync", "offline_cache", "drivers", "central")
#: Underscore names that are public API by convention (namedtuple methods, sys/os escapes).
PUBLIC_UNDERSCORE = frozenset({"_replace", "_asdict", "_fields", "_make", "_exit", "_getframe", "_MEIPASS"})


def python_files(root: Path, packages: tuple[str, ...]) -> Iterator[Path]:
    """Every ``.py`` file under the named packages, sorted."""
    for package in packages:
        yield from sorted((root / package).rglob("*.py"))


def private_reaches(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, "x._name")`` for every private member reached on something not ``self``/``cls``."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        name = node.attr
        if not name.startswith("_") or name.startswith("__") or name in PUBLIC_UNDERSCORE:
            continue
        owner = node.value
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            continue
        if isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
            continue
        found.append((node.lineno, f"{ast.unparse(owner)}.{name}"))
    return found


def probes(tree: ast.AST) -> int:
    """Calls of ``hasattr`` or ``getattr``."""
    return sum(
        1 for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("hasattr", "getattr")
    )


def main(argv: list[str]) -> int:
    """Print the figures (see the module docstring)."""
    root = Path.cwd()
    reaches = 0
    for path in python_files(root, PACKAGES):
        reaches += len(private_reaches(ast.parse(path.read_text(encoding="utf-8"))))
    probe_count = sum(probes(ast.parse(p.read_text(encoding="utf-8"))) for p in python_files(root, ("kiosk", "ui")))
    print(f"private reaches ({', '.join(PACKAGES)}): {reaches}")
    print(f"hasattr/getattr probes (kiosk, ui): {probe_count}")
    for name in argv:
        path = Path(name)
        if path.is_file():
            print(f"{len(path.read_text(encoding='utf-8').splitlines()):5d} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
