"""The terminal's key files: created once, even when two threads ask for them at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

from egov_protocol.keys import TerminalKeys


def _create_at_once(directory: Path, threads: int) -> tuple[list[bytes], list[BaseException]]:
    start = threading.Barrier(threads)
    found: list[bytes] = []
    errors: list[BaseException] = []

    def create() -> None:
        start.wait()
        try:
            found.append(TerminalKeys.load_or_create(directory).public_key)
        except BaseException as error:  # the test reports it
            errors.append(error)

    workers = [threading.Thread(target=create) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return found, errors


def test_two_threads_creating_the_keys_at_once_get_the_same_keys(tmp_path: Path) -> None:
    # On first start the audit chain and enrollment both ask for the signing key; neither may fail
    # and both must end up with the one key on disk.
    for attempt in range(20):
        directory = tmp_path / f"keys{attempt}"
        found, errors = _create_at_once(directory, threads=4)
        assert errors == []
        assert len(set(found)) == 1
        assert [p.name for p in directory.iterdir() if p.name.endswith(".tmp")] == []
