"""Update: a terminal at version A updates to B (one module changed) from ``kiosk-central`` on
loopback, then a failing B is rolled back.

The platform publishes A and B with ``central.releases`` (keys made for the run) and serves them
from a real ``kiosk-central`` process; the terminal is the real path: ``sync.updates.ReleaseChannel``
(tuf's ngclient over the httpx fetcher) and ``kiosk.update_apply.apply_update``, which installs B
next to A (unchanged files hard-linked from A, changed ones fetched), runs B's self-test and
switches. Bytes fetched are counted on the wire (every response body: metadata and files).
``apply_s`` is download + verify + B's self-test + switch. ``rollback_s`` is from the start that
finds B unhealthy (the guard of the second start within the health period) until ``current`` is
A again; systemd's ``RestartSec`` (3 s) comes on top.

Two kinds of builds:

- ``--bundle DIR`` (e.g. ``dist/kiosk`` after ``make bundle``): A is that real frozen build. B is
  a copy of it (links kept) in which one module differs: ``--module`` (default
  ``kiosk.restart_window``), whose source in this tree gets one line appended
  (``BENCH_RELEASE = "B"``) and is compiled into its place, ``_internal/<module path>.pyc``,
  exactly as PyInstaller writes the project's modules (``kiosk.spec`` collects them as .pyc
  files: PEP 552 unchecked-hash header, zero hash, ``co_filename`` relative, optimisation 0). The
  bench first compiles the unchanged source the same way and says whether that gives A's file
  byte for byte, or the same code object (marshal's reference flags depend on the compiling
  process), or not (the source changed since the build). The self-test B must pass before the
  switch is B's own, the real ``kiosk --self-test`` (a few seconds, part of ``apply_s``).
- without ``--bundle`` (the default; the tests' builds, ``tests/update_builds.py``): synthetic
  builds of ``--libraries`` files of random bytes of ``--library-kb`` each, a ``kiosk`` script
  whose ``--self-test`` passes, and a module that changes between A and B.

    .venv/bin/python bench/update.py --bundle dist/kiosk [--module kiosk.restart_window]
    .venv/bin/python bench/update.py [--libraries 256] [--library-kb 256]

``bundle_mb`` is A's folder as ``du`` counts it (links not followed), in MB of 10^6 bytes.
Last line: ``bundle_mb=<size> delta_mb=<fetched for A→B> apply_s=<download+verify+switch>
rollback_s=<back on A after a failing B>``. Budget: delta ≤ 5% of the bundle, rollback
≤ 60 s after the health check fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import marshal
import shutil
import struct
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from central.releases import init_keys, publish_release
from kiosk.releases import Installation
from kiosk.update_apply import apply_update
from sync.local_central import LocalCentral, free_port
from sync.updates import PlatformFetcher, ReleaseChannel
from tests.update_builds import make_build, make_repository, trusted_root

ROOT = Path(__file__).resolve().parents[1]
#: The line B's module gets: a constant nothing reads.
CHANGE = '\nBENCH_RELEASE = "B"  # bench/update.py: the one change from A to B\n'


class CountingFetcher(PlatformFetcher):
    """The terminal's fetcher, counting the bytes of every response body."""

    fetched = 0

    def fetch_from(self, url: str, offset: int) -> tuple[int, Iterator[bytes]]:
        """The platform fetcher's answer, its bytes counted as they arrive."""
        start, chunks = super().fetch_from(url, offset)  # metadata and files both come here
        return start, self._counted(chunks)

    @staticmethod
    def _counted(chunks: Iterator[bytes]) -> Iterator[bytes]:
        for chunk in chunks:
            CountingFetcher.fetched += len(chunk)
            yield chunk


def frozen_pyc(source: str, source_file: Path, module_path: Path) -> bytes:
    """A module's .pyc as PyInstaller's ``compile_pymodule`` writes it into the bundle: compiled
    from the source file's path, then ``co_filename`` made relative in every code object."""
    def relative(code: types.CodeType) -> types.CodeType:
        consts = tuple(relative(c) if isinstance(c, types.CodeType) else c for c in code.co_consts)
        return code.replace(co_consts=consts, co_filename=module_path.with_suffix(".py").as_posix())

    compiled = compile(source.encode("utf-8"), str(source_file), "exec", dont_inherit=True, optimize=0)
    return importlib.util.MAGIC_NUMBER + struct.pack("<I", 0b01) + bytes(8) + marshal.dumps(relative(compiled))


def changed_copy(bundle: Path, folder: Path, module: str) -> str:
    """B: ``bundle`` copied to ``folder`` with ``module`` changed; says whether compiling the
    unchanged source gave A's .pyc (so that B differs from A by the change alone)."""
    module_path = Path(*module.split("."))
    source_file = ROOT / module_path.with_suffix(".py")
    if not source_file.is_file():
        source_file = ROOT / module_path / "__init__.py"
        module_path = module_path / "__init__"
    pyc = folder / "_internal" / module_path.with_suffix(".pyc")
    shutil.copytree(bundle, folder, symlinks=True)
    if not pyc.is_file():
        raise SystemExit(f"{pyc.relative_to(folder)} is not in the bundle: the project's modules are "
                         "separate .pyc files only in a build of the current kiosk.spec (make bundle)")
    source = source_file.read_text(encoding="utf-8")
    built, again = pyc.read_bytes(), frozen_pyc(source, source_file, module_path)
    pyc.write_bytes(frozen_pyc(source + CHANGE, source_file, module_path))
    if again == built:
        return "reproduced byte for byte"
    # marshal marks objects referenced more than once in the compiling process: flags may differ.
    if again[:16] == built[:16] and marshal.loads(again[16:]) == marshal.loads(built[16:]):
        return "reproduced as the same code (marshal's reference flags differ)"
    return "NOT reproduced: the source changed since the build"


def folder_bytes(folder: Path) -> int:
    """Regular files only, links not followed (as ``du`` counts)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def inodes(folder: Path) -> dict[tuple[int, int], int]:
    """Size of each distinct file under ``folder`` (hard links counted once, links not followed)."""
    found = {}
    for path in folder.rglob("*"):
        status = path.lstat()
        if path.is_file() and not path.is_symlink():
            found[(status.st_dev, status.st_ino)] = status.st_size
    return found


def publish_builds(root: Path, args: argparse.Namespace) -> tuple[Path, Path, str]:
    """The platform's data folder with A (1.0) and B (1.1) published, A's folder, and what B is."""
    if args.bundle is None:
        options = {"libraries": args.libraries, "library_kb": args.library_kb}
        data, _ = make_repository(root, ["1.0", "1.1"], **options)
        return data, make_build(root / "a", "1.0", **options), (
            f"synthetic build of {args.libraries + 2} files")
    bundle = Path(args.bundle).resolve()
    if not (bundle / "kiosk").is_file():
        raise SystemExit(f"{bundle} holds no kiosk executable (make bundle builds dist/kiosk)")
    reproduced = changed_copy(bundle, root / "b", args.module)
    data = root / "platform"
    init_keys(root / "release-keys", data)
    publish_release(data, root / "release-keys", bundle, "1.0")
    publish_release(data, root / "release-keys", root / "b", "1.1")
    return data, bundle, f"{bundle} as A; B = A with {args.module} changed (A's .pyc {reproduced})"


def main() -> None:
    """Publish A and B, update a terminal from A to B, roll a failing B back; print figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", help="a frozen build (dist/kiosk) as A; B is it with one module changed")
    parser.add_argument("--module", default="kiosk.restart_window", help="the module B changes (--bundle)")
    parser.add_argument("--libraries", type=int, default=256, help="synthetic builds: files of random bytes")
    parser.add_argument("--library-kb", type=int, default=256, help="synthetic builds: size of each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="egov-bench-update-") as folder:
        root = Path(folder)
        data, build_a, what = publish_builds(root, args)
        bundle = folder_bytes(build_a)
        installation = Installation(root / "opt", health_s=600)
        installation.adopt(build_a, "1.0")
        platform = LocalCentral(data, free_port())
        platform.start()
        try:
            base = f"{platform.url}/v1/updates"
            channel = ReleaseChannel(root / "opt" / "tuf", trusted_root(data), base + "/metadata/",
                                     base + "/targets/", CountingFetcher())
            started = time.perf_counter()
            applied = apply_update(installation, channel)
            apply_s = time.perf_counter() - started
            channel.close()
        finally:
            platform.stop()
        assert applied.outcome == "switched", applied
        on_a, on_b = inodes(installation.release_dir("1.0")), inodes(installation.release_dir("1.1"))
        b_disk, b_own = sum(on_b.values()), sum(size for key, size in on_b.items() if key not in on_a)
        first_start = installation.guard()  # B's first start: its self-test passes
        assert (first_start.verdict, installation.current()) == ("ok", "1.1"), first_start
        started = time.perf_counter()
        outcome = installation.guard()  # B crashed: the second start within the health period
        rollback_s = time.perf_counter() - started
        assert (outcome.verdict, installation.current()) == ("rolled back", "1.0"), outcome
    bundle_mb, delta_mb = bundle / 1e6, CountingFetcher.fetched / 1e6
    print(f"{what}, {bundle_mb:.1f} MB; A→B fetched {applied.fetched_files} file(s) "
          f"({applied.fetched_bytes} bytes of files) and linked {applied.linked_files}; "
          f"{CountingFetcher.fetched} bytes on the wire with the metadata")
    print(f"B on the terminal: {b_disk / 1e6:.1f} MB of files (each once), {b_own / 1e6:.3f} MB of "
          "them not shared with A")
    share = delta_mb / bundle_mb
    print(f"budget: delta <= 5% of the bundle -> {share:.2%} "
          f"{'within' if share <= 0.05 else 'OVER'}; rollback <= 60 s -> "
          f"{'within' if rollback_s <= 60 else 'OVER'}")
    print(f"bundle_mb={bundle_mb:.1f} delta_mb={delta_mb:.3f} apply_s={apply_s:.2f} "
          f"rollback_s={rollback_s:.3f}")


if __name__ == "__main__":
    main()
