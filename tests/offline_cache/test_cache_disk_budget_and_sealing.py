"""The kiosk's outbox writer on real disks: sealing leaves no plaintext anywhere, and the disk
budget refuses new work on a real, small, loop-mounted filesystem without touching queued data."""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from egov_protocol.keys import PlatformKeys as PlatformKeyFiles
from kiosk.enrollment import Enrollment, PlatformKeys
from kiosk.submission import Draft, SubmissionRefused, SubmissionWriter
from offline_cache import DiskBudgetExceeded, Outbox, Store, check_budget

NAME = "欧阳娜娜"
ID_NUMBER = "11010519491231002X"
PHOTO = b"\xff\xd8\xff\xe0JFIF-" + b"unique-face-photo-bytes-0123456789" * 40


def enrolled(data_dir: Path) -> Enrollment:
    platform = PlatformKeyFiles.load_or_create(data_dir.parent / "platform-keys")
    enrollment = Enrollment(data_dir)
    enrollment.save_platform_keys(PlatformKeys(platform.x25519_public, platform.ed25519_public,
                                               "http://127.0.0.1:9", "110105-T01"))
    return enrollment


def draft(n: int = 0) -> Draft:
    return Draft("residence-permit", "residence-permit-application", 1, "zh-CN",
                 {"name": NAME, "id_number": ID_NUMBER}, {"address": f"幸福路{n}号"},
                 {"photo.jpg": PHOTO})


def writer_for(data_dir: Path, floor: int) -> SubmissionWriter:
    writer = SubmissionWriter(data_dir / "kiosk.db", enrolled(data_dir), "110105", "T01", floor)
    writer.start().result()
    return writer


def test_no_plaintext_in_the_database_its_wal_temp_folders_or_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    before = set(Path(tempfile.gettempdir()).iterdir())
    writer = writer_for(data_dir, 1)
    try:
        accepted = writer.submit(draft()).result()
        files = [data_dir / "kiosk.db", data_dir / "kiosk.db-wal"]
        assert files[1].exists() and files[1].stat().st_size > 0  # still in the WAL
        blobs = {p: p.read_bytes() for p in files}
    finally:
        writer.stop()
    blobs[data_dir / "kiosk.db"] = (data_dir / "kiosk.db").read_bytes()  # after checkpoint
    new_temp = [p for p in set(Path(tempfile.gettempdir()).iterdir()) - before if p.is_file()]
    for path in new_temp + [p for p in data_dir.rglob("*") if p.is_file()]:
        blobs[path] = path.read_bytes()
    needles = [NAME.encode(), NAME.encode("utf-16-le"), ID_NUMBER.encode(), PHOTO[:64],
               PHOTO[100:164], "幸福路".encode()]
    for path, content in blobs.items():
        for needle in needles:
            assert needle not in content, f"plaintext found in {path}"
    log_text = caplog.text
    assert NAME not in log_text and ID_NUMBER not in log_text
    assert accepted.receipt_number in log_text  # the log does say what happened


@pytest.fixture
def small_disk():
    """A real 16 MB ext4 filesystem on a loop device (root only, as in CI)."""
    if os.geteuid() != 0:
        pytest.fail("the disk budget test needs root to loop-mount a small filesystem")
    workdir = Path(tempfile.mkdtemp(prefix="egov-disk-"))
    image, mountpoint = workdir / "disk.img", workdir / "mnt"
    mountpoint.mkdir()
    subprocess.run(["truncate", "-s", "16M", str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", str(image)], check=True)
    subprocess.run(["mount", "-o", "loop", str(image), str(mountpoint)], check=True)
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)
        image.unlink(missing_ok=True)


def fill_until_free(mountpoint: Path, free: int) -> None:
    filler = mountpoint / f"filler-{len(list(mountpoint.glob('filler-*')))}"
    gap = os.statvfs(mountpoint).f_bavail * os.statvfs(mountpoint).f_frsize - free
    if gap > 0:
        with filler.open("wb") as handle:
            try:
                handle.write(b"\0" * gap)
                handle.flush()
                os.fsync(handle.fileno())
            except OSError:  # filling to the last block: the metadata did not fit, fine
                pass


def test_below_the_floor_new_work_is_refused_and_queued_data_is_kept(small_disk):
    data_dir = small_disk / "data"
    data_dir.mkdir()
    floor = 6 * 1024 * 1024
    writer = writer_for(data_dir, floor)
    try:
        first = writer.submit(draft(1)).result()
        fill_until_free(small_disk, floor + 256 * 1024)
        second = writer.submit(draft(2)).result()
        fill_until_free(small_disk, floor - 512 * 1024)
        with pytest.raises(SubmissionRefused) as refused:
            writer.submit(draft(3)).result()
        assert refused.value.code == "disk_full"
        assert "MB free" in str(refused.value) and "queued submissions are kept" in str(refused.value)
        counts = writer.counts().result()
    finally:
        writer.stop()
    assert counts["queued"] == 2
    with Store(data_dir / "kiosk.db") as store:
        outbox = Outbox(store)
        for accepted in (first, second):
            record = outbox.get(accepted.submission_id)
            assert record.sealed and outbox.blobs_for(record.id)
        assert store.integrity_check() == "ok"
    with pytest.raises(DiskBudgetExceeded):
        check_budget(data_dir, floor)


def test_a_disk_that_fills_during_the_write_refuses_cleanly(small_disk):
    data_dir = small_disk / "data"
    data_dir.mkdir()
    writer = writer_for(data_dir, 0)  # no floor: SQLite itself hits the wall
    try:
        first = writer.submit(draft(1)).result()
        fill_until_free(small_disk, 0)
        outcomes = []
        big = Draft("residence-permit", "residence-permit-application", 1, "zh-CN",
                    {"name": NAME}, {}, {"photo.jpg": os.urandom(300_000)})
        for _ in range(40):  # the WAL's spare room goes first, then SQLite hits the wall
            try:
                writer.submit(big).result()
                outcomes.append("stored")
            except SubmissionRefused as exc:
                outcomes.append(exc.code)
                break
        assert "disk_full" in outcomes
        counts = writer.counts().result()
    finally:
        writer.stop()
    assert counts["queued"] == 1 + outcomes.count("stored")
    for filler in small_disk.glob("filler-*"):
        filler.unlink()
    with Store(data_dir / "kiosk.db") as store:
        assert Outbox(store).get(first.submission_id).sealed
        assert store.integrity_check() == "ok"
