"""The platform's secret files: made once even when two servers of one process start together."""

from __future__ import annotations

import threading
from pathlib import Path

from central.at_rest import KEY_FILE, AtRestKeys


def test_servers_starting_together_share_one_at_rest_key(tmp_path: Path) -> None:
    for attempt in range(20):
        keys_dir = tmp_path / f"keys{attempt}"
        start = threading.Barrier(4)
        sealed: list[bytes] = []
        errors: list[BaseException] = []

        def open_keys(keys_dir: Path = keys_dir, start: threading.Barrier = start,
                      sealed: list[bytes] = sealed, errors: list[BaseException] = errors) -> None:
            start.wait()
            try:
                sealed.append(AtRestKeys.load_or_create(keys_dir).seal(b"x", "probe"))
            except BaseException as error:  # reported below
                errors.append(error)

        workers = [threading.Thread(target=open_keys) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert errors == []
        final = AtRestKeys.load_or_create(keys_dir)
        assert all(final.open(each, "probe") == b"x" for each in sealed)  # one key for all
        assert (keys_dir / KEY_FILE).stat().st_mode & 0o077 == 0
        assert not list(keys_dir.glob("*.partial"))
