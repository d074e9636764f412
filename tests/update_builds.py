"""Small synthetic terminal builds and a release repository made of them, for the update tests
and ``bench/update.py``: a ``kiosk`` script whose ``--self-test`` passes unless the folder two
levels up holds
``broken-<the folder's name>``, some shared libraries of random bytes, and a module that
changes between versions."""

from __future__ import annotations

import os
import random
from pathlib import Path

from central.releases import init_keys, publish_release


def make_build(folder: Path, version: str, *, libraries: int = 12, library_kb: int = 64,
               self_test_exit: int = 0, seed: int = 7) -> Path:
    """A build folder for ``version``: same libraries for every version (``seed``), a module
    that says its version, and a ``kiosk`` executable."""
    rng = random.Random(seed)
    (folder / "_internal" / "kiosk").mkdir(parents=True, exist_ok=True)
    for n in range(libraries):
        (folder / "_internal" / f"lib{n}.so").write_bytes(rng.randbytes(library_kb * 1024))
    (folder / "_internal" / "kiosk" / "version.py").write_text(f"VERSION = {version!r}\n")
    script = folder / "kiosk"
    script.write_text("#!/bin/sh\n"
                      'here="$(cd "$(dirname "$0")" && pwd)"\n'
                      '[ -e "$here/../../broken-$(basename "$here")" ] && exit 9\n'
                      f"exit {self_test_exit}\n")
    os.chmod(script, 0o755)
    return folder


def make_repository(root: Path, versions: list[str], **build_options) -> tuple[Path, Path]:
    """A platform data folder with ``versions`` published in order, and the keys folder."""
    data, keys = root / "platform", root / "release-keys"
    init_keys(keys, data)
    for version in versions:
        publish_release(data, keys, make_build(root / "builds" / version, version,
                                               **build_options), version)
    return data, keys


def trusted_root(data: Path) -> bytes:
    """The root a terminal is installed with."""
    return (data / "updates" / "metadata" / "1.root.json").read_bytes()
