"""``kioskctl``: the staff and operations command line.

Every command prints plain verdicts a staff member can act on and exits non-zero when something
needs fixing, so scripts can use it too. Nothing it prints contains personal data.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from offline_cache import Outbox, Store

from .config import ConfigError, KioskConfig, load_config
from .devices import REGISTRIES, DeviceConfigError, create_driver
from .enrollment import Enrollment
from .sync_service import enroll_terminal, sync_once


@dataclass(frozen=True)
class Check:
    """One line of ``kioskctl doctor``: what was checked, whether it passed, and the fix."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _data_dir(config: KioskConfig) -> Path:
    return config.storage.resolved_data_dir()


def check_disk(config: KioskConfig) -> Check:
    """Free space in the data folder against the configured floor."""
    folder = _data_dir(config)
    probe = folder if folder.exists() else folder.parent
    while not probe.exists():
        probe = probe.parent
    free_mb = shutil.disk_usage(probe).free // (1024 * 1024)
    ok = free_mb >= config.storage.min_free_mb
    return Check("disk", ok, f"{free_mb} MB free in {probe} (floor {config.storage.min_free_mb} MB)",
                 "" if ok else "free disk space or move storage.data_dir to a larger disk")


def check_font() -> Check:
    """A CJK font must be installed, or Chinese renders as boxes."""
    try:
        result = subprocess.run(["fc-match", "-f", "%{family}", "sans-serif:lang=zh-cn"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("cjk font", False, f"fc-match did not run: {exc}", "apt-get install fontconfig fonts-noto-cjk")
    family = result.stdout.strip()
    ok = "CJK" in family or "WenQuanYi" in family
    return Check("cjk font", ok, family or "none", "" if ok else "apt-get install fonts-noto-cjk")


def check_store(config: KioskConfig) -> Check:
    """The local database opens, migrates and passes its integrity check."""
    path = _data_dir(config) / "kiosk.db"
    if not path.exists():
        return Check("local store", True, f"{path} not created yet (created on first start)")
    store = Store(path)
    try:
        store.open()
        verdict = store.integrity_check()
    except Exception as exc:  # noqa: BLE001 - any failure is the verdict
        return Check("local store", False, f"{type(exc).__name__}: {exc}", "call an engineer; do not delete the file")
    finally:
        store.close()
    return Check("local store", verdict == "ok", verdict, "" if verdict == "ok" else "call an engineer; do not delete the file")


def check_device(config: KioskConfig, role: str) -> Check:
    """Build the configured backend and ask it whether it is usable."""
    device = getattr(config.devices, role)
    output = _data_dir(config) / "printed"
    defaults = {"receipt_printer": {"output_dir": str(output / "receipts")},
                "document_printer": {"output_dir": str(output / "documents")}}.get(role)
    try:
        driver = create_driver(role, device, defaults)
    except DeviceConfigError as exc:
        return Check(role, False, str(exc), f"fix devices.{role} in the configuration")
    ok = driver.is_usable()
    return Check(role, ok, f"backend {device.backend}", "" if ok else "check the cable and power, then run doctor again")


def check_enrollment(config: KioskConfig) -> Check:
    """The terminal knows the platform's keys, so it can seal submissions."""
    try:
        keys = Enrollment(_data_dir(config), config.central.platform_keys_file).platform_keys()
    except ValueError as exc:
        return Check("enrollment", False, str(exc), "enroll again: kioskctl enroll --url URL")
    if keys is None:
        return Check("enrollment", False, "not enrolled", "kioskctl enroll --url URL")
    return Check("enrollment", True, f"enrolled as {keys.terminal_id} with {keys.central_url}")


def doctor(config: KioskConfig) -> list[Check]:
    """Every check of ``kioskctl doctor``, in the order staff should fix them."""
    checks = [check_disk(config), check_font(), check_store(config)]
    checks += [check_device(config, role) for role in REGISTRIES]
    checks.append(check_enrollment(config))
    return checks


def _cmd_doctor(config: KioskConfig, _args: argparse.Namespace) -> int:
    checks = doctor(config)
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        print(f"[{mark}] {check.name}: {check.detail}")
        if check.fix:
            print(f"       fix: {check.fix}")
    return 0 if all(check.ok for check in checks) else 1


def _cmd_queue(config: KioskConfig, _args: argparse.Namespace) -> int:
    path = _data_dir(config) / "kiosk.db"
    if not path.exists():
        print("no submissions yet")
        return 0
    store = Store(path)
    store.open()
    try:
        counts = Outbox(store).counts()
    finally:
        store.close()
    for state, count in sorted(counts.items()):
        print(f"{state:12} {count}")
    return 0


def _cmd_enroll(config: KioskConfig, args: argparse.Namespace) -> int:
    url = (args.url or config.central.url).rstrip("/")
    keys = enroll_terminal(url, config.terminal.site_code, config.terminal.terminal_id,
                           Enrollment(_data_dir(config), config.central.platform_keys_file))
    print(f"enrolled as {keys.terminal_id} with {keys.central_url}")
    return 0


def _cmd_sync(config: KioskConfig, _args: argparse.Namespace) -> int:
    counts = sync_once(_data_dir(config) / "kiosk.db",
                       Enrollment(_data_dir(config), config.central.platform_keys_file), config.central)
    for state, count in sorted(counts.items()):
        print(f"{state:12} {count}")
    return 0 if not counts.get("queued") else 1


def _cmd_check_config(config: KioskConfig, args: argparse.Namespace) -> int:
    print(f"{args.config or '(embedded default)'}: valid")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kioskctl`` console script."""
    parser = argparse.ArgumentParser(prog="kioskctl", description="Staff and operations tools for egov-kiosk.")
    parser.add_argument("--config", help="the terminal's TOML configuration (default: embedded, all simulated)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help="check everything the terminal needs, with fixes")
    commands.add_parser("queue", help="submissions by state")
    enroll = commands.add_parser("enroll", help="register this terminal with the central platform")
    enroll.add_argument("--url", help="central platform base URL (default: central.url)")
    commands.add_parser("sync", help="forward the queued submissions now")
    commands.add_parser("check-config", help="validate the configuration file")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    handlers = {"doctor": _cmd_doctor, "queue": _cmd_queue, "enroll": _cmd_enroll,
                "sync": _cmd_sync, "check-config": _cmd_check_config}
    try:
        return handlers[args.command](config, args)
    except Exception as exc:  # noqa: BLE001 - staff get one clear line, not a traceback
        print(f"{args.command} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
