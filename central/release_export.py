"""``kiosk-central export-release DIR``: the current release of the TUF repository
(``central.releases``) copied for a USB stick, for terminals without a link, which verify it as
they verify the platform (``kioskctl update apply --from DIR``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tuf.api.metadata import Metadata, Snapshot, Targets, Timestamp

from .releases import repository_dir, repository_lock


def export_release(data_dir: str | Path, out: str | Path) -> int:
    """Copy what a terminal needs for the current release to ``out`` (a USB stick): every root,
    the timestamp, the snapshot and targets it names, and their files; return the file count.
    The terminal verifies the copy as it verifies the platform (``kioskctl update --from``)."""
    repository, out = repository_dir(data_dir), Path(out)
    with repository_lock(repository):
        metadata = repository / "metadata"
        timestamp = Metadata.from_bytes((metadata / "timestamp.json").read_bytes()).signed
        assert isinstance(timestamp, Timestamp)
        snapshot_name = f"{timestamp.snapshot_meta.version}.snapshot.json"
        snapshot = Metadata.from_bytes((metadata / snapshot_name).read_bytes()).signed
        assert isinstance(snapshot, Snapshot)
        targets_name = f"{snapshot.meta['targets.json'].version}.targets.json"
        names = [p.name for p in metadata.glob("*.root.json")]
        names += ["timestamp.json", snapshot_name, targets_name]
        targets = Metadata.from_bytes((metadata / targets_name).read_bytes()).signed
        assert isinstance(targets, Targets)
        (out / "metadata").mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copyfile(metadata / name, out / "metadata" / name)
        for path, info in targets.targets.items():
            folder, slash, name = path.rpartition("/")
            stored = f"{folder}{slash}{info.hashes['sha256']}.{name}"
            (out / "targets" / stored).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(repository / "targets" / stored, out / "targets" / stored)
    return len(names) + len(targets.targets)
