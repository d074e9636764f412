"""The terminal's side of trusted updates: TUF metadata and release files from the platform.

``ReleaseChannel`` wraps python-tuf's ``ngclient.Updater``: ``latest()`` refreshes root,
timestamp, snapshot and targets metadata (signatures, thresholds, versions, expiry: rollback,
freeze and mix-and-match are refused there) and reads the release's ``release.json`` target;
``download()`` fetches one file into a partial file, resuming an interrupted download with an
HTTP range, cut off at the length the signed targets metadata gives, and returns only once the
whole file has that length and SHA-256 (tuf's ``TargetFile.verify_length_and_hashes``). The bytes come over
``PlatformFetcher`` (httpx, the terminal's platform URL and TLS, answers must carry
``X-Egov-Central``), or ``FolderFetcher`` for the same repository copied to a USB stick.

The trusted metadata is kept in ``metadata_dir`` (the terminal's data folder): a terminal never
goes back to older metadata than it has seen. Runs on the calling thread; blocking I/O.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx
from tuf.api.exceptions import (
    DownloadError,
    DownloadHTTPError,
    DownloadLengthMismatchError,
    LengthOrHashMismatchError,
)
from tuf.api.metadata import TargetFile
from tuf.ngclient import FetcherInterface, Updater, UpdaterConfig

from egov_protocol.errors import InsecurePlatformUrl
from egov_protocol.protocol import (
    API_PREFIX,
    CENTRAL_HEADER,
    CENTRAL_HEADER_VALUE,
    insecure_platform_url,
)

from .client import DEFAULT_TIMEOUT

RELEASE_TARGET = "release.json"
ROLLOUT_TARGET = "rollout.json"
FILES_PREFIX = "files/"
_CHUNK = 64 * 1024
#: A bundle has thousands of files, each a line in the targets metadata.
_TARGETS_MAX_BYTES = 32 * 1024 * 1024


class ReleaseInvalid(ValueError):
    """``release.json`` or a target's custom metadata is not what a release looks like."""


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release: its path in the build, SHA-256, length and file mode."""

    path: str
    sha256: str
    length: int
    mode: int


@dataclass(frozen=True)
class Rollout:
    """Who is offered the release (``kiosk-central release rollout``): terminals named in
    ``pilots``, those of ``sites``, ``percent`` of all by a hash of their id; none if halted."""

    pilots: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    percent: float = 100.0
    halted: bool = False

    def offers(self, terminal_id: str, site: str) -> bool:
        """Whether the terminal ``terminal_id`` (its fleet id) of ``site`` may take it now."""
        if self.halted:
            return False
        bucket = int(hashlib.sha256(terminal_id.encode()).hexdigest()[:8], 16) % 10000 / 100
        return terminal_id in self.pilots or site in self.sites or bucket < self.percent


def parse_rollout(data: bytes, release: str) -> Rollout:
    """A ``rollout.json`` for ``release``; ``ReleaseInvalid`` for anything else."""
    try:
        rollout = json.loads(data)
    except (ValueError, RecursionError):
        raise ReleaseInvalid("rollout.json is not JSON") from None
    if not isinstance(rollout, dict) or rollout.get("release") != release:
        raise ReleaseInvalid("rollout.json is not the rollout of this release")
    pilots, sites = rollout.get("pilots"), rollout.get("sites")
    percent, halted = rollout.get("percent"), rollout.get("halted")
    if not (isinstance(pilots, list) and all(isinstance(p, str) for p in pilots)
            and isinstance(sites, list) and all(isinstance(p, str) for p in sites)
            and isinstance(percent, (int, float)) and not isinstance(percent, bool)
            and 0 <= percent <= 100 and isinstance(halted, bool)):
        raise ReleaseInvalid("rollout.json is malformed")
    return Rollout(frozenset(pilots), frozenset(sites), float(percent), halted)


@dataclass(frozen=True)
class Release:
    """A release the platform offers: its version, files by path, and rollout (None: all)."""

    version: str
    files: dict[str, ReleaseFile]
    rollout: Rollout | None = None

    @property
    def bytes(self) -> int:
        """The size of the whole build."""
        return sum(item.length for item in self.files.values())


def parse_manifest(data: bytes) -> tuple[str, list[str]]:
    """The version and file paths of a ``release.json``; ``ReleaseInvalid`` for anything else
    (paths must stay inside the release folder)."""
    try:
        manifest = json.loads(data)
    except (ValueError, RecursionError):
        raise ReleaseInvalid("release.json is not JSON") from None
    if not isinstance(manifest, dict):
        raise ReleaseInvalid("release.json is not an object")
    version, files = manifest.get("version"), manifest.get("files")
    if not isinstance(version, str) or not version or "/" in version or version.startswith("."):
        raise ReleaseInvalid("release.json has no usable version")
    if not isinstance(files, list) or not files or not all(isinstance(p, str) for p in files):
        raise ReleaseInvalid("release.json lists no files")
    for path in files:
        parts = path.split("/")
        if path.startswith("/") or any(part in ("", ".", "..") for part in parts) or "\0" in path:
            raise ReleaseInvalid("release.json names a path outside the release")
    return version, files


class RangeFetcher(FetcherInterface):
    """A fetcher that can also start a file at an offset (to resume a download)."""

    def fetch_from(self, url: str, offset: int) -> tuple[int, Iterator[bytes]]:
        """The bytes of ``url`` from ``offset`` on, and where they start (0: from the top)."""
        raise NotImplementedError


class PlatformFetcher(RangeFetcher):
    """TUF's downloads over httpx, as the sync client talks to the platform: no redirects, the
    platform's header required, optionally at most ``max_bytes_per_s``."""

    def __init__(self, transport: httpx.BaseTransport | None = None, *,
                 max_bytes_per_s: float | None = None) -> None:
        self._http = httpx.Client(transport=transport, timeout=DEFAULT_TIMEOUT,
                                  follow_redirects=False,
                                  headers={"User-Agent": "egov-kiosk-terminal/0.1"})
        self._rate = max_bytes_per_s

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _fetch(self, url: str) -> Iterator[bytes]:
        return self.fetch_from(url, 0)[1]

    def fetch_from(self, url: str, offset: int) -> tuple[int, Iterator[bytes]]:
        """The bytes of ``url`` from ``offset`` on (an HTTP range), and where they start: 0 when
        the server sent the whole file instead."""
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        try:
            response = self._http.send(self._http.build_request("GET", url, headers=headers),
                                       stream=True)
        except httpx.HTTPError as exc:
            raise DownloadError(f"{url}: {type(exc).__name__}: {exc}") from exc
        if response.headers.get(CENTRAL_HEADER) != CENTRAL_HEADER_VALUE:
            response.close()
            raise DownloadError(f"{url}: answer without {CENTRAL_HEADER} (not the platform)")
        if response.status_code == 206 and offset:
            return offset, self._chunks(response)
        if response.status_code != 200:
            response.close()
            raise DownloadHTTPError(f"{url}: {response.status_code}", response.status_code)
        return 0, self._chunks(response)

    def _chunks(self, response: httpx.Response) -> Iterator[bytes]:
        started, sent = time.monotonic(), 0
        try:
            for chunk in response.iter_bytes(_CHUNK):
                yield chunk
                sent += len(chunk)
                if self._rate:  # keep the hall's link usable for submissions
                    ahead = sent / self._rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
        except httpx.HTTPError as exc:
            raise DownloadError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            response.close()


class FolderFetcher(RangeFetcher):
    """TUF's downloads from a folder (a USB stick with ``metadata/`` and ``targets/``): URLs are
    ``folder:<path>``; a missing file answers like a 404."""

    def _fetch(self, url: str) -> Iterator[bytes]:
        return self.fetch_from(url, 0)[1]

    def fetch_from(self, url: str, offset: int) -> tuple[int, Iterator[bytes]]:
        """The bytes of the file from ``offset`` on, and ``offset``."""
        path = Path(url.removeprefix("folder:"))
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            raise DownloadHTTPError(f"{path}: not on the medium", 404) from None
        stream.seek(offset)
        return offset, self._chunks(stream)

    @staticmethod
    def _chunks(stream: BinaryIO) -> Iterator[bytes]:
        with stream:
            while chunk := stream.read(_CHUNK):
                yield chunk


class ReleaseChannel:
    """Where releases come from, verified with TUF against the terminal's trusted root."""

    def __init__(self, metadata_dir: Path, trusted_root: bytes, metadata_url: str,
                 targets_url: str, fetcher: RangeFetcher) -> None:
        metadata_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        # The shipped root only until the first refresh: then the newest root seen is kept.
        bootstrap = None if (metadata_dir / "root.json").exists() else trusted_root
        self._fetcher = fetcher
        self._targets_url = targets_url
        self._updater = Updater(str(metadata_dir), metadata_url, None, targets_url, fetcher,
                                UpdaterConfig(targets_max_length=_TARGETS_MAX_BYTES),
                                bootstrap=bootstrap)

    @classmethod
    def online(cls, platform_url: str, metadata_dir: Path, trusted_root: bytes, *,
               transport: httpx.BaseTransport | None = None,
               max_bytes_per_s: float | None = None) -> ReleaseChannel:
        """Releases from the platform at ``platform_url`` (``/v1/updates/``)."""
        if transport is None and (problem := insecure_platform_url(platform_url)) is not None:
            raise InsecurePlatformUrl(f"platform URL {platform_url} {problem}")
        base = platform_url.rstrip("/") + API_PREFIX + "/updates"
        return cls(metadata_dir, trusted_root, base + "/metadata/", base + "/targets/",
                   PlatformFetcher(transport, max_bytes_per_s=max_bytes_per_s))

    @classmethod
    def from_folder(cls, folder: Path, metadata_dir: Path, trusted_root: bytes) -> ReleaseChannel:
        """Releases from a copy of the repository in ``folder`` (USB), verified the same way."""
        folder = folder.resolve()
        return cls(metadata_dir, trusted_root, f"folder:{folder}/metadata/",
                   f"folder:{folder}/targets/", FolderFetcher())

    def close(self) -> None:
        """Close the fetcher's connections."""
        if isinstance(self._fetcher, PlatformFetcher):
            self._fetcher.close()

    def latest(self) -> Release:
        """Refresh the metadata and return the release it names (every TUF check passed)."""
        self._updater.refresh()
        info = self._updater.get_targetinfo(RELEASE_TARGET)
        if info is None:
            raise ReleaseInvalid("the repository names no release")
        version, paths = parse_manifest(self._small_target(info))
        rollout_info = self._updater.get_targetinfo(ROLLOUT_TARGET)
        rollout = None if rollout_info is None else parse_rollout(
            self._small_target(rollout_info), version)
        files = {}
        for path in paths:
            target = self._updater.get_targetinfo(FILES_PREFIX + path)
            if target is None or "sha256" not in target.hashes:
                raise ReleaseInvalid(f"release {version} lists {path} but signs no such target")
            mode = target.custom.get("mode", 0o644)
            files[path] = ReleaseFile(path, target.hashes["sha256"], target.length,
                                      0o755 if mode == 0o755 else 0o644)
        return Release(version, files, rollout)

    def _small_target(self, info: TargetFile) -> bytes:
        with self._fetcher.download_file(self._target_url(info.path, info.hashes["sha256"]),
                                         info.length) as stream:
            info.verify_length_and_hashes(stream)
            stream.seek(0)
            data: bytes = stream.read()
            return data

    def download(self, item: ReleaseFile, partial: Path) -> None:
        """Fetch one file of the latest release into ``partial``, resuming what an interrupted
        run left there; return only when its length and SHA-256 are those the signed targets
        metadata gives (else ``LengthOrHashMismatchError`` and ``partial`` is removed). Never
        more than that length is accepted (endless data)."""
        info = self._updater.get_targetinfo(FILES_PREFIX + item.path)
        if info is None:
            raise ReleaseInvalid(f"{item.path} is no longer a target")
        url = self._target_url(info.path, info.hashes["sha256"])
        for attempt in ("resume", "afresh"):
            held = partial.stat().st_size if partial.exists() else 0
            offset, chunks = self._fetcher.fetch_from(url, held if held < info.length else 0)
            with open(partial, "r+b" if offset else "wb") as out:
                out.seek(offset)
                out.truncate()
                written = offset
                for chunk in chunks:
                    written += len(chunk)
                    if written > info.length:
                        out.close()
                        partial.unlink()
                        raise DownloadLengthMismatchError(
                            f"{item.path}: more than the signed {info.length} bytes")
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            try:
                with open(partial, "rb") as written_file:
                    info.verify_length_and_hashes(written_file)
                return
            except LengthOrHashMismatchError:
                partial.unlink()
                if attempt == "afresh" or not held:
                    raise
                # What an earlier run left was not this file's beginning: once more from 0.

    def _target_url(self, path: str, sha256: str) -> str:
        folder, slash, name = path.rpartition("/")
        return f"{self._targets_url}{folder}{slash}{sha256}.{name}"
