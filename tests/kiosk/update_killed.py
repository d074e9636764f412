"""Run ``apply_update`` from a repository folder and SIGKILL this process at the N-th file-system
operation (``python update_killed.py INSTALL_DIR REPOSITORY_DIR N``; N = 0: never). Prints how
many operations the apply took. Used by tests/kiosk/test_update_killed.py."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.releases import Installation
from kiosk.update_apply import apply_update
from sync.updates import ReleaseChannel

#: Every operation that changes the disk (and fsync): a kill lands between any two of them.
OPERATIONS = ("replace", "rename", "link", "symlink", "fsync", "sync", "mkdir", "rmdir", "unlink",
              "chmod", "open")


def main() -> None:
    """Apply, counting operations, and kill this process at the chosen one."""
    root, repository, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    count = [0]

    def counted(function):
        def wrapped(*args, **kwargs):
            count[0] += 1
            if count[0] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return function(*args, **kwargs)
        return wrapped

    channel = ReleaseChannel.from_folder(repository,
                                         root / "tuf", (repository / "metadata" / "1.root.json").read_bytes())
    for name in OPERATIONS:
        setattr(os, name, counted(getattr(os, name)))
    applied = apply_update(Installation(root), channel)
    print(count[0], applied.outcome)


if __name__ == "__main__":
    main()
