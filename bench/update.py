"""Update: a terminal at version A updates to B (one module changed) from ``kiosk-central`` on
loopback, then a failing B is rolled back.

Synthetic builds (not the 513 MB bundle, which takes minutes to build): ``--libraries`` files of
random bytes of ``--library-kb`` each, a ``kiosk`` script whose ``--self-test`` passes, and a
module that changes between A and B (``tests/update_builds.py``). The platform publishes both
with ``central.releases`` (keys made for the run) and serves them from a real ``kiosk-central``
process; the terminal is the real path: ``sync.updates.ReleaseChannel`` (tuf's ngclient over the
httpx fetcher) and ``kiosk.update_apply.apply_update``. Bytes fetched are counted on the wire
(every response body: metadata and files). ``rollback_s`` is from the start that finds B unhealthy
(the guard of the second start within the health period) until ``current`` is A again; systemd's
``RestartSec`` (3 s) comes on top.

Not the real bundle's delta: PyInstaller packs the project's modules into the PYZ archive
appended to the ``kiosk`` executable, so one changed module there changes that whole file (its
size is the real A→B delta, not measured here); collecting the project's packages as separate
``.pyc`` files (``module_collection_mode`` in ``kiosk.spec``) would make it one small file.

    .venv/bin/python bench/update.py [--libraries 256] [--library-kb 256]

Last line: ``bundle_mb=<size> delta_mb=<fetched for A→B> apply_s=<download+verify+switch>
rollback_s=<back on A after a failing B>``. Budget (issue 18): delta ≤ 5% of the bundle, rollback
≤ 60 s after the health check fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.releases import Installation
from kiosk.update_apply import apply_update
from sync.local_central import LocalCentral, free_port
from sync.updates import PlatformFetcher, ReleaseChannel
from tests.update_builds import make_build, make_repository, trusted_root


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


def main() -> None:
    """Publish A and B, update a terminal from A to B, roll a failing B back; print figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--libraries", type=int, default=256)
    parser.add_argument("--library-kb", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="egov-bench-update-") as folder:
        root = Path(folder)
        options = {"libraries": args.libraries, "library_kb": args.library_kb}
        data, _ = make_repository(root, ["1.0", "1.1"], **options)
        bundle = sum(p.stat().st_size for p in (root / "builds" / "1.0").rglob("*") if p.is_file())
        installation = Installation(root / "opt", health_s=600)
        installation.adopt(make_build(root / "a", "1.0", **options), "1.0")
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
        installation.guard()  # B's first start: its self-test passes
        started = time.perf_counter()
        outcome = installation.guard()  # B crashed: the second start within the health period
        rollback_s = time.perf_counter() - started
        assert (outcome.verdict, installation.current()) == ("rolled back", "1.0"), outcome
    bundle_mb, delta_mb = bundle / 1e6, CountingFetcher.fetched / 1e6
    print(f"build of {args.libraries + 2} files, {bundle_mb:.1f} MB; A→B fetched "
          f"{applied.fetched_files} file(s) ({applied.fetched_bytes} bytes of files) and linked "
          f"{applied.linked_files}; {CountingFetcher.fetched} bytes on the wire with the metadata")
    share = delta_mb / bundle_mb
    print(f"budget: delta <= 5% of the bundle -> {share:.2%} "
          f"{'within' if share <= 0.05 else 'OVER'}; rollback <= 60 s -> "
          f"{'within' if rollback_s <= 60 else 'OVER'}")
    print(f"bundle_mb={bundle_mb:.1f} delta_mb={delta_mb:.3f} apply_s={apply_s:.2f} "
          f"rollback_s={rollback_s:.3f}")


if __name__ == "__main__":
    main()
