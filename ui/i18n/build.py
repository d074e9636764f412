"""Compile the Qt Linguist translations (.ts → .qm), and refresh the .ts from the QML.

    python -m ui.i18n.build            # compile every ui/i18n/*.ts into a .qm next to it
    python -m ui.i18n.build --update   # first collect new qsTr() strings from ui/qml into the .ts

The QML is written in English (the source language); ``egov_kiosk_zh_CN.ts`` holds the Chinese.
The tools are the ones the PySide6 wheel ships (pyside6-lrelease / pyside6-lupdate), found next
to the running interpreter first so the venv's copies win.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

I18N_DIR = Path(__file__).resolve().parent
QML_DIR = I18N_DIR.parent / "qml"
CATALOG = "egov_kiosk"
LOCALES = ("zh_CN",)


def ts_path(locale: str) -> Path:
    return I18N_DIR / f"{CATALOG}_{locale}.ts"


def qm_path(locale: str) -> Path:
    return I18N_DIR / f"{CATALOG}_{locale}.qm"


def _tool(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found: install PySide6 (it ships the Qt translation tools)")
    return found


def qml_sources() -> list[Path]:
    return sorted(QML_DIR.rglob("*.qml"))


def update_sources() -> None:
    """Collect the qsTr() strings of every QML file into each .ts (keeps existing translations)."""
    for locale in LOCALES:
        subprocess.run(
            [_tool("pyside6-lupdate"), *map(str, qml_sources()), "-locations", "none", "-no-obsolete",
             "-source-language", "en_US", "-target-language", locale, "-ts", str(ts_path(locale))],
            check=True,
        )


def compile_translations() -> list[Path]:
    """Compile every .ts into its .qm; returns the .qm paths."""
    built = []
    for locale in LOCALES:
        target = qm_path(locale)
        subprocess.run(
            [_tool("pyside6-lrelease"), "-silent", str(ts_path(locale)), "-qm", str(target)],
            check=True,
        )
        built.append(target)
    return built


def ensure_compiled(locale: str) -> Path:
    """The .qm of ``locale``, compiled first when it is missing or older than its .ts.

    A source checkout has only the .ts (the .qm is a build product); an installed or frozen
    terminal ships the .qm and never needs the tools.
    """
    target, source = qm_path(locale), ts_path(locale)
    if source.exists() and (not target.exists() or target.stat().st_mtime < source.stat().st_mtime):
        subprocess.run([_tool("pyside6-lrelease"), "-silent", str(source), "-qm", str(target)], check=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="refresh the .ts from the QML first")
    args = parser.parse_args(argv)
    if args.update:
        update_sources()
    for path in compile_translations():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
