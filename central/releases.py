"""Releases of the frozen terminal build as a TUF repository (The Update Framework, python-tuf).

``kiosk-central release init-keys`` makes the four roles' keys (root, targets, snapshot,
timestamp) in a keys folder kept apart from the data folder, and the first root metadata;
``release publish DIR --version V`` turns a build folder into targets, one per file
(``files/<path>``, custom metadata ``{"release": V, "mode": ...}``), plus ``release.json`` (the
version and its file list), and signs new targets, snapshot and timestamp metadata;
``release refresh-timestamp`` re-signs the timestamp before it expires (terminals refuse an
expired one: a frozen repository).

The repository is ``DATA_DIR/updates/{metadata,targets}``, served read-only under
``/v1/updates/`` (``central.routers.updates``). Snapshots are consistent: metadata is written as
``<version>.<role>.json`` and each target as ``<sha256>.<name>``, so a terminal in the middle of
a refresh never sees a mix of two publications, and a file unchanged between releases is stored
once. Only ``timestamp.json`` is replaced in place, last: it is what makes a publication visible.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from .files import private_dir

ROLES = ("root", "targets", "snapshot", "timestamp")
#: The folder of the release keys, for ``kiosk-central release`` and the platform's releases page.
KEYS_ENV = "KIOSK_CENTRAL_RELEASE_KEYS"
RELEASE_TARGET = "release.json"
ROLLOUT_TARGET = "rollout.json"
FILES_PREFIX = "files/"
VERSION_PATTERN = re.compile(r"^[0-9]+(\.[0-9]+){0,3}$")
#: How long each role's signatures stay valid; the timestamp is refreshed often (cron or timer).
ROOT_DAYS, TARGETS_DAYS, TIMESTAMP_DAYS = 365.0, 365.0, 1.0


class ReleaseError(ValueError):
    """A release cannot be published or signed (missing keys, bad version, empty build...)."""


def repository_dir(data_dir: str | Path) -> Path:
    """Where the platform keeps the published update repository."""
    return Path(data_dir) / "updates"


def version_key(version: str) -> tuple[int, ...]:
    """``"1.10.2"`` as ``(1, 10, 2)``, for ordering releases."""
    if not VERSION_PATTERN.match(version):
        raise ReleaseError(f"version {version!r} must be numbers separated by dots (e.g. 1.4.2)")
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class Published:
    """What a publication produced: the release, its file count and bytes, new and reused."""

    version: str
    files: int
    bytes: int
    new_files: int


def role_signer(keys: Path, name: str) -> CryptoSigner:
    """The signer of the key ``keys/<name>.pem`` (``root-1``, ``targets``...)."""
    try:
        pem = (keys / f"{name}.pem").read_bytes()
    except FileNotFoundError:
        raise ReleaseError(f"no {name} key in {keys} (kiosk-central release init-keys)") from None
    try:
        private = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):  # not PEM, or a PEM behind a passphrase
        raise ReleaseError(f"{keys / (name + '.pem')} is not a readable private key") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise ReleaseError(f"{keys / (name + '.pem')} is not an Ed25519 key")
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))


def _write_key(path: Path) -> CryptoSigner:
    signer = CryptoSigner.generate_ed25519()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(signer.private_bytes)
    return signer


def _expiry(now: datetime, days: float) -> datetime:
    return (now + timedelta(days=days)).replace(microsecond=0)


def _write(path: Path, metadata: Metadata) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(metadata.to_bytes(JSONSerializer(compact=False)))
    os.replace(temporary, path)


def _sign(signed: Root | Targets | Snapshot | Timestamp, *signers: CryptoSigner) -> Metadata:
    metadata: Metadata = Metadata(signed)
    for signer in signers:
        metadata.sign(signer, append=True)
    return metadata


def init_keys(keys: str | Path, data_dir: str | Path, *, root_keys: int = 1,
              threshold: int = 1, now: datetime | None = None) -> Path:
    """Make the role keys in ``keys`` (mode 0600; ``root_keys`` root keys of which
    ``threshold`` must sign a new root) and the repository's first root; return its path.
    Refuses a keys folder inside the served repository and a folder that already has keys."""
    keys, repository = Path(keys).resolve(), repository_dir(data_dir).resolve()
    if keys == repository or repository in keys.parents:
        raise ReleaseError("the keys folder must not be inside the published repository")
    if not 1 <= threshold <= root_keys:
        raise ReleaseError("the root threshold must be between 1 and the number of root keys")
    private_dir(keys)
    if any(keys.glob("*.pem")):
        raise ReleaseError(f"{keys} already holds keys: keep them (or move them away first)")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    roots = [_write_key(keys / f"root-{n}.pem") for n in range(1, root_keys + 1)]
    others = {role: _write_key(keys / f"{role}.pem") for role in ROLES[1:]}
    root = Root(expires=_expiry(now, ROOT_DAYS), consistent_snapshot=True)
    for signer in roots:
        root.add_key(signer.public_key, "root")
    root.roles["root"].threshold = threshold
    for role, signer in others.items():
        root.add_key(signer.public_key, role)
    (repository / "metadata").mkdir(parents=True, exist_ok=True)
    (repository / "targets").mkdir(exist_ok=True)
    first = repository / "metadata" / "1.root.json"
    _write(first, _sign(root, *roots))
    return first


def _latest(metadata_dir: Path, role: str) -> tuple[int, Metadata] | None:
    versions = [int(p.name.split(".", 1)[0]) for p in metadata_dir.glob(f"*.{role}.json")
                if p.name.split(".", 1)[0].isdigit()]
    if not versions:
        return None
    newest = max(versions)
    return newest, Metadata.from_bytes((metadata_dir / f"{newest}.{role}.json").read_bytes())


def latest_targets(data_dir: str | Path) -> Targets | None:
    """The newest signed targets (the current release and its rollout), or ``None`` before
    the first publication."""
    latest = _latest(repository_dir(data_dir) / "metadata", "targets")
    if latest is None:
        return None
    assert isinstance(latest[1].signed, Targets)
    return latest[1].signed


def current_release(data_dir: str | Path) -> str | None:
    """The version terminals are offered now, or ``None`` before the first publication."""
    targets = latest_targets(data_dir)
    return None if targets is None else str(targets.targets[RELEASE_TARGET].custom["release"])


@contextmanager
def repository_lock(repository: Path) -> Iterator[None]:
    """One publication, rollout, refresh, rotation or export at a time."""
    with open(repository / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one publication or refresh at a time
        yield


def _store_target(targets_dir: Path, path: str, source: Path | bytes,
                  custom: dict) -> tuple[TargetFile, bool]:
    """The target for ``source`` at ``path``, stored under its hash; True if newly stored."""
    data = source if isinstance(source, bytes) else None
    digest = hashlib.sha256()
    length = 0
    if data is None:
        assert isinstance(source, Path)
        with source.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
                length += len(chunk)
    else:
        digest.update(data)
        length = len(data)
    sha256 = digest.hexdigest()
    folder, _, name = path.rpartition("/")
    stored = targets_dir / folder / f"{sha256}.{name}"
    fresh = not stored.exists()
    if fresh:  # content-addressed: an unchanged file is stored once
        stored.parent.mkdir(parents=True, exist_ok=True)
        temporary = stored.with_name(f".{stored.name}.tmp")
        if data is None:
            shutil.copyfile(source, temporary)
        else:
            temporary.write_bytes(data)
        os.replace(temporary, stored)
    return TargetFile(length, {"sha256": sha256}, path, {"custom": custom}), fresh


def _build_files(build: Path) -> list[Path]:
    if not build.is_dir():
        raise ReleaseError(f"{build} is not a folder")
    files = sorted(p for p in build.rglob("*") if p.is_file())
    if not files:
        raise ReleaseError(f"{build} holds no files")
    return files


def publish_release(data_dir: str | Path, keys: str | Path, build: str | Path, version: str, *,
                    timestamp_days: float = TIMESTAMP_DAYS, now: datetime | None = None,
                    rings: Rings | None = None) -> Published:
    """Publish the files of ``build`` as release ``version`` (newer than the current one),
    offered to ``rings`` only when given (``set_rollout``)."""
    repository, keys, build = repository_dir(data_dir), Path(keys), Path(build)
    if not (repository / "metadata" / "1.root.json").exists():
        raise ReleaseError(f"no update repository in {repository} (release init-keys first)")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    version_key(version)
    signers = {role: role_signer(keys, role) for role in ROLES[1:]}
    with repository_lock(repository):
        previous = current_release(data_dir)
        if previous is not None and version_key(version) <= version_key(previous):
            raise ReleaseError(f"release {version} is not newer than the published {previous}")
        targets_dir = repository / "targets"
        files = _build_files(build)
        targets = Targets(expires=_expiry(now, TARGETS_DAYS))
        total = new = 0
        listing = []
        for source in files:
            relative = source.relative_to(build).as_posix()
            mode = 0o755 if os.access(source, os.X_OK) else 0o644
            path = FILES_PREFIX + relative
            info, fresh = _store_target(targets_dir, path, source,
                                        {"release": version, "mode": mode})
            new += fresh
            targets.targets[path] = info
            listing.append(relative)
            total += info.length
        manifest = json.dumps({"version": version, "published_at": now.isoformat(),
                               "files": listing}, sort_keys=True).encode()
        targets.targets[RELEASE_TARGET] = _store_target(targets_dir, RELEASE_TARGET, manifest,
                                                        {"release": version})[0]
        if rings is not None:
            targets.targets[ROLLOUT_TARGET] = _rollout_target(targets_dir, version, rings)
        _sign_targets(repository, targets, signers, now, timestamp_days)
    return Published(version, len(files), total, new)


@dataclass(frozen=True)
class Rings:
    """Who is offered the current release: the terminals named in ``pilots`` (fleet ids), those
    of ``sites``, and ``percent`` of all terminals (by a hash of their id); ``halted``: no
    terminal that does not run it yet."""

    pilots: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    percent: float = 100.0
    halted: bool = False


def _rollout_target(targets_dir: Path, release: str, rings: Rings) -> TargetFile:
    if not 0 <= rings.percent <= 100:
        raise ReleaseError("the percentage must be between 0 and 100")
    rollout = {"release": release, "pilots": sorted(set(rings.pilots)),
               "sites": sorted(set(rings.sites)), "percent": rings.percent,
               "halted": rings.halted}
    return _store_target(targets_dir, ROLLOUT_TARGET, json.dumps(rollout, sort_keys=True).encode(),
                         {"release": release})[0]


def _sign_targets(repository: Path, targets: Targets, signers: dict[str, CryptoSigner],
                  now: datetime, timestamp_days: float) -> None:
    metadata_dir = repository / "metadata"
    last_targets = _latest(metadata_dir, "targets")
    targets.version = (last_targets[0] if last_targets else 0) + 1
    _write(metadata_dir / f"{targets.version}.targets.json", _sign(targets, signers["targets"]))
    _publish_snapshot(metadata_dir, targets.version, signers, now, timestamp_days)


def set_rollout(data_dir: str | Path, keys: str | Path, rings: Rings, *,
                timestamp_days: float = TIMESTAMP_DAYS, now: datetime | None = None) -> str:
    """Offer the current release to ``rings`` from now on (widen, narrow or halt it), signed
    as the ``rollout.json`` target with new targets, snapshot and timestamp metadata; returns
    the release. Without a rollout, every terminal is offered it."""
    repository = repository_dir(data_dir)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    signers = {role: role_signer(Path(keys), role) for role in ROLES[1:]}
    with repository_lock(repository):
        latest = _latest(repository / "metadata", "targets")
        if latest is None:
            raise ReleaseError("nothing published yet: no release to roll out")
        targets = latest[1].signed
        assert isinstance(targets, Targets)
        release = str(targets.targets[RELEASE_TARGET].custom["release"])
        targets.targets[ROLLOUT_TARGET] = _rollout_target(repository / "targets", release, rings)
        targets.expires = _expiry(now, TARGETS_DAYS)
        _sign_targets(repository, targets, signers, now, timestamp_days)
    return release


def _publish_snapshot(metadata_dir: Path, targets_version: int,
                      signers: dict[str, CryptoSigner], now: datetime,
                      timestamp_days: float) -> None:
    last = _latest(metadata_dir, "snapshot")
    snapshot = Snapshot(version=(last[0] if last else 0) + 1, expires=_expiry(now, TARGETS_DAYS),
                        meta={"targets.json": MetaFile(version=targets_version)})
    path = metadata_dir / f"{snapshot.version}.snapshot.json"
    _write(path, _sign(snapshot, signers["snapshot"]))
    _publish_timestamp(metadata_dir, path, snapshot.version, signers["timestamp"], now,
                       timestamp_days)


def _publish_timestamp(metadata_dir: Path, snapshot_path: Path, snapshot_version: int,
                       signer: CryptoSigner, now: datetime, days: float) -> None:
    data = snapshot_path.read_bytes()
    current = metadata_dir / "timestamp.json"
    last = Metadata.from_bytes(current.read_bytes()).signed.version if current.exists() else 0
    timestamp = Timestamp(version=last + 1, expires=_expiry(now, days),
                          snapshot_meta=MetaFile(snapshot_version, len(data),
                                                 {"sha256": hashlib.sha256(data).hexdigest()}))
    _write(metadata_dir / "timestamp.json", _sign(timestamp, signer))


def refresh_timestamp(data_dir: str | Path, keys: str | Path, *, days: float = TIMESTAMP_DAYS,
                      now: datetime | None = None) -> datetime:
    """Sign a new timestamp for the current snapshot, valid ``days``; return its expiry."""
    repository = repository_dir(data_dir)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    signer = role_signer(Path(keys), "timestamp")
    with repository_lock(repository):
        latest = _latest(repository / "metadata", "snapshot")
        if latest is None:
            raise ReleaseError("nothing published yet: no timestamp to refresh")
        _publish_timestamp(repository / "metadata",
                           repository / "metadata" / f"{latest[0]}.snapshot.json", latest[0],
                           signer, now, days)
    return _expiry(now, days)


def rotate_key(data_dir: str | Path, keys: str | Path, role: str, *,
               timestamp_days: float = TIMESTAMP_DAYS, now: datetime | None = None) -> int:
    """Replace the key of ``role`` (targets, snapshot or timestamp; the old one is kept as
    ``<role>.retired-<time>.pem``): a new root names it, signed by the root keys present in
    ``keys`` (at least the current root's threshold: bring the offline ones), and the targets,
    snapshot and timestamp are signed anew. Terminals follow the new root by themselves.
    Returns the new root's version."""
    if role not in ROLES[1:]:
        raise ReleaseError(f"the role must be one of {', '.join(ROLES[1:])}")
    repository, keys = repository_dir(data_dir), Path(keys)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    with repository_lock(repository):
        latest = _latest(repository / "metadata", "root")
        assert latest is not None, "init-keys writes the first root"
        root = latest[1].signed
        assert isinstance(root, Root)
        roots = [role_signer(keys, path.stem) for path in sorted(keys.glob("root-*.pem"))]
        roots = [s for s in roots if s.public_key.keyid in root.roles["root"].keyids]
        if len(roots) < root.roles["root"].threshold:
            raise ReleaseError(f"a new root needs {root.roles['root'].threshold} root keys; "
                               f"{len(roots)} in {keys}")
        new = CryptoSigner.generate_ed25519()
        for keyid in list(root.roles[role].keyids):
            root.revoke_key(keyid, role)
        root.add_key(new.public_key, role)
        root.version, root.expires = latest[0] + 1, _expiry(now, ROOT_DAYS)
        _write(repository / "metadata" / f"{root.version}.root.json", _sign(root, *roots))
        os.replace(keys / f"{role}.pem", keys / f"{role}.retired-{now:%Y%m%dT%H%M%SZ}.pem")
        fd = os.open(keys / f"{role}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(new.private_bytes)
        signers = {name: role_signer(keys, name) for name in ROLES[1:]}
        targets = _latest(repository / "metadata", "targets")
        if targets is not None:
            assert isinstance(targets[1].signed, Targets)
            _sign_targets(repository, targets[1].signed, signers, now, timestamp_days)
    return root.version
