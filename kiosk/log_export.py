"""Staff export of the terminal's logs to a USB stick: what an engineer needs, nothing personal.

The logs are PII-free by construction (the application never logs citizen data), so they are
copied as they are. Beside them go the ``kioskctl doctor`` verdicts, the outbox counts and the
audit chain (staff actions, sessions without personal data, device faults). Sealed submissions,
keys, photos, printed receipts and the database itself are never copied.

Everything here does file and process I/O: call it on a worker thread, never the GUI thread.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .safe_log import log_exception

log = logging.getLogger(__name__)

#: The systemd unit whose journal is exported (deploy/).
SYSTEMD_UNIT = "egov-kiosk.service"
#: How far back the journal export goes.
JOURNAL_SINCE = "-7 days"


def export_targets(configured: str = "", media_root: Path = Path("/media")) -> list[Path]:
    """Folders a staff member can export to: the configured one (if it exists), then every
    mounted removable medium under ``/media`` (``/media/<label>`` or ``/media/<user>/<label>``)."""
    targets: list[Path] = []
    if configured:
        path = Path(configured).expanduser()
        if path.is_dir():
            targets.append(path)
    try:
        first = sorted(p for p in media_root.iterdir() if p.is_dir())
    except OSError:
        first = []
    for entry in first:
        if os.path.ismount(entry):
            targets.append(entry)
            continue
        try:
            targets += sorted(p for p in entry.iterdir() if p.is_dir() and os.path.ismount(p))
        except OSError:
            continue
    return targets


def doctor_text(config: Any) -> str:
    """``kioskctl doctor`` as text, from inside the running kiosk: the devices its owner threads
    hold are not opened a second time (that would report them busy); their live state is in the
    diagnostics screen and the audit trail."""
    from .doctor import Seams, render_text, run_checks

    return render_text(run_checks(config, Seams(open_devices=False))) + "\n"


def _journal(target: Path) -> str:
    journalctl = shutil.which("journalctl")
    if journalctl is None:
        return "journalctl not available"
    try:
        result = subprocess.run(
            [journalctl, "--no-pager", "-o", "short-iso", "-u", SYSTEMD_UNIT, "--since", JOURNAL_SINCE],
            capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"journalctl failed: {type(exc).__name__}"
    (target / "journal.txt").write_bytes(result.stdout)
    return f"journal.txt ({len(result.stdout)} bytes, exit {result.returncode})"


def _audit(core: Any, target: Path) -> str:
    audit = getattr(core, "audit", None)
    if audit is None or not hasattr(audit, "events"):
        return "audit chain: not available in this build"
    try:
        audit.flush()  # the staff action that asked for this export is in it too
        events = audit.events()
        verdict = audit.verify()
    except Exception as exc:
        log_exception(log, "audit export failed")
        return f"audit chain: export failed ({type(exc).__name__})"
    with (target / "audit.jsonl").open("w", encoding="utf-8") as handle:
        for event in events:
            handle.write(json.dumps(dataclasses.asdict(event), ensure_ascii=False, sort_keys=True) + "\n")
    (target / "audit-verify.txt").write_text(
        f"ok: {verdict.ok}\nevents: {verdict.events}\nhead: {verdict.head_seq} {verdict.head_hash}\n"
        + "".join(f"problem: {p}\n" for p in verdict.problems), encoding="utf-8")
    return f"audit.jsonl ({len(events)} events, chain {'intact' if verdict.ok else 'BROKEN'})"


def export_logs(core: Any, target_root: Path, queue: dict[str, Any], now: datetime | None = None) -> Path:
    """Write one export folder under ``target_root`` and return it (worker thread).

    ``queue`` is the maintenance view's queue block (counts only). Raises ``OSError`` when the
    medium cannot be written.
    """
    config = core.config
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder = target_root / f"egov-kiosk-{config.terminal.site_code}-{config.terminal.terminal_id}-{stamp}"
    folder.mkdir(parents=True)
    notes = [f"terminal {config.terminal.site_code}-{config.terminal.terminal_id}, exported {stamp}"]
    (folder / "doctor.txt").write_text(doctor_text(config), encoding="utf-8")
    notes.append("doctor.txt")
    (folder / "queue.json").write_text(json.dumps(queue, indent=1, default=str), encoding="utf-8")
    notes.append("queue.json")
    notes.append(_audit(core, folder))
    notes.append(_journal(folder))
    logs = Path(core.data_dir) / "logs"
    if logs.is_dir():
        shutil.copytree(logs, folder / "logs", ignore=shutil.ignore_patterns("*.db*", "*.jpg", "*.png", "*.pdf"))
        notes.append("logs/")
    (folder / "README.txt").write_text(
        "egov-kiosk log export (no personal data: no submissions, photos, receipts or keys)\n\n"
        + "\n".join(notes) + "\n", encoding="utf-8")
    os.sync()  # staff pull the stick right after the message: get it onto the medium first
    return folder
