"""deploy/: the systemd unit, the udev rules and (when built) the frozen bundle."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "egov-kiosk.service"
RULES = ROOT / "deploy" / "udev" / "99-egov-kiosk.rules"
BUNDLE = ROOT / "dist" / "kiosk"


# ---- system packages ----------------------------------------------------------------------------
SETUP = ROOT / "tools" / "setup-system.sh"
TEST_ONLY = ("vsmartcard-vpcd",)


def profile_packages(*args: str) -> list[str]:
    result = subprocess.run(["bash", str(SETUP), "--list", *args], capture_output=True, text=True, check=True)
    return result.stdout.split()


def test_the_terminal_profile_never_installs_the_virtual_reader() -> None:
    terminal = profile_packages("terminal")
    assert "pcscd" in terminal and not set(TEST_ONLY) & set(terminal)
    assert profile_packages() == terminal  # no profile named: a terminal's
    assert set(TEST_ONLY) <= set(profile_packages("dev"))  # tests and the demo need it


def test_building_a_terminal_asks_for_the_terminal_profile_tests_and_demo_for_dev() -> None:
    def system_step(target: str) -> str:
        dry = subprocess.run(["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True,
                             env={**os.environ, "DISPLAY": ":0"}, check=False).stdout
        return next(line for line in dry.splitlines() if "setup-system.sh" in line).strip()

    assert system_step("bundle").endswith("setup-system.sh terminal")
    assert system_step("test").endswith("setup-system.sh dev")
    assert system_step("demo").endswith("setup-system.sh dev")
    assert "setup-system.sh terminal" in (ROOT / "deploy" / "README.md").read_text()


# ---- systemd unit -------------------------------------------------------------------------------
def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read(UNIT)
    return parser


def test_the_unit_restarts_a_hung_or_dead_kiosk() -> None:
    service = unit()["Service"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "main"
    assert service["WatchdogSec"] == "30" and service["Restart"] == "always"
    assert "75" in service["SuccessExitStatus"].split()  # the nightly restart
    assert service["User"] == "kiosk"
    assert unit()["Unit"]["StartLimitIntervalSec"] == "0"
    # Hardening that would hide the devices stays off.
    assert "PrivateDevices" not in service and "DevicePolicy" not in service
    assert "MemoryDenyWriteExecute" not in service
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"


def test_the_update_guard_of_the_good_version_runs_before_every_start() -> None:
    text = UNIT.read_text()
    assert "ExecStartPre=+/opt/egov-kiosk/good/kiosk --update-guard" in text
    assert "ExecStart=/opt/egov-kiosk/current/kiosk" in text
    assert "ExecStopPost=+/opt/egov-kiosk/good/kiosk --update-guard --stopped" in text


def test_the_update_units_verify_and_install_from_the_good_version(tmp_path: Path) -> None:
    folder = UNIT.parent
    service = (folder / "egov-kiosk-update.service").read_text()
    assert "ExecStart=/opt/egov-kiosk/good/kiosk ctl --config" in service
    assert "update apply" in service and "IOSchedulingClass=idle" in service
    (tmp_path / "egov-kiosk-update.service").write_text(
        service.replace("/opt/egov-kiosk/good/kiosk", "/bin/true"))
    shutil.copy(folder / "egov-kiosk-update.timer", tmp_path)
    result = subprocess.run(["systemd-analyze", "verify", str(tmp_path / "egov-kiosk-update.timer"),
                             str(tmp_path / "egov-kiosk-update.service")],
                            capture_output=True, text=True, timeout=60)
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if "egov-kiosk-update" in line]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr


def test_exit_statuses_agree_with_the_code() -> None:
    from kiosk.restart_window import RESTART_EXIT_CODE

    assert f"SuccessExitStatus={RESTART_EXIT_CODE}" in UNIT.read_text()


def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    # verify insists that ExecStart exists; the bundle is not installed here.
    text = re.sub(r"/opt/egov-kiosk/(current|good)/kiosk", "/bin/true", UNIT.read_text())
    copy = tmp_path / UNIT.name
    copy.write_text(text)
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    # verify reports unknown keys and bad values as warnings with exit status 0: none may appear.
    complaints = [line for line in (result.stdout + result.stderr).splitlines() if UNIT.name in line]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr


# ---- udev rules ---------------------------------------------------------------------------------
MATCH_KEYS = {"ACTION", "SUBSYSTEM", "KERNEL", "DEVPATH", "DRIVER", "ATTR", "ATTRS", "ENV", "SUBSYSTEMS",
              "KERNELS", "DRIVERS", "TAG", "TAGS", "TEST", "PROGRAM", "RESULT"}
ASSIGN_KEYS = {"GROUP", "MODE", "OWNER", "SYMLINK", "ENV", "TAG", "RUN", "IMPORT", "GOTO", "LABEL", "NAME",
               "OPTIONS", "ATTR"}
PAIR = re.compile(r'\s*(?P<key>[A-Z_]+)(\{(?P<attr>[A-Za-z0-9_]+)\})?'
                  r'\s*(?P<op>==|!=|\+=|-=|:=|=)\s*"(?P<value>[^"]*)"\s*(,|$)')


def parse_rules(text: str) -> list[list[dict[str, str]]]:
    """A small udev rules syntax check: key[{attr}] op "value" pairs, comma-separated."""
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pairs, position = [], 0
        while position < len(line):
            match = PAIR.match(line, position)
            assert match, f"line {number}: cannot parse from column {position}: {line[position:]!r}"
            pair = match.groupdict()
            is_match = pair["op"] in ("==", "!=")
            allowed = MATCH_KEYS if is_match else ASSIGN_KEYS
            assert pair["key"] in allowed, f"line {number}: {pair['key']} {pair['op']}"
            pairs.append(pair)
            position = match.end()
        assert any(p["op"] not in ("==", "!=") for p in pairs), f"line {number}: a rule without an action"
        rules.append(pairs)
    return rules


def test_udev_rules_parse_and_every_goto_has_its_label() -> None:
    rules = parse_rules(RULES.read_text())
    gotos = {p["value"] for rule in rules for p in rule if p["key"] == "GOTO"}
    labels = {p["value"] for rule in rules for p in rule if p["key"] == "LABEL"}
    assert gotos <= labels and gotos


def test_udev_rules_name_readers_and_printers_with_safe_permissions() -> None:
    rules = parse_rules(RULES.read_text())

    def assigned(key: str) -> list[str]:
        return [p["value"] for rule in rules for p in rule if p["key"] == key and p["op"] not in ("==", "!=")]

    symlinks = assigned("SYMLINK")
    assert "egov-idcard" in symlinks and "egov-receipt" in symlinks
    assert set(assigned("MODE")) == {"0660"}
    assert set(assigned("GROUP")) == {"pcscd", "dialout", "lp"}
    vendors = " ".join(p["value"] for rule in rules for p in rule if p.get("attr") == "idVendor")
    for chip in ("1a86", "067b", "0403", "10c4", "04b8"):  # CH340, PL2303, FTDI, CP210x, Epson
        assert chip in vendors


def test_the_documented_configuration_uses_the_symlinks() -> None:
    readme = (ROOT / "deploy" / "README.md").read_text()
    assert 'port = "/dev/egov-idcard"' in readme and 'devfile = "/dev/egov-receipt"' in readme


# ---- the frozen bundle (only after `make bundle`) ------------------------------------------------
#: Libraries the terminal's Debian provides on purpose (deploy/README.md): Qt's speech-dispatcher
#: plug-in loads only where speech-dispatcher is installed.
SYSTEM_PROVIDED = {"libspeechd.so.2"}


def missing_libraries(bundle: Path) -> dict[str, list[str]]:
    """Shared objects in the bundle whose dependencies resolve neither in it nor on the system."""
    internal = bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=f"{internal}:{internal / 'PySide6' / 'Qt' / 'lib'}")
    problems: dict[str, list[str]] = {}
    for path in sorted(internal.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
        missing = [line.split()[0] for line in out.splitlines()
                   if "not found" in line and line.split()[0] not in SYSTEM_PROVIDED]
        if missing:
            problems[str(path.relative_to(internal))] = missing
    return problems


@pytest.mark.bundle
def test_nothing_left_in_the_bundle_needs_a_library_left_out() -> None:
    assert missing_libraries(BUNDLE) == {}


#: Ceiling on the frozen build's files, in MiB (links count as links, not as the files they point
#: at; ``du -sh`` shows a little more, counting whole blocks). Issue 18 asks for 350 MB; the build
#: is 325 MiB (341 MB) with the OpenCV built for the kiosk, and 333 MiB is 349 MB:
#: deploy/README.md §1 says what the 325 MiB are.
BUNDLE_CEILING_MIB = 333


def bundle_mib(bundle: Path) -> float:
    """The folder's size: regular files only, links not followed."""
    return sum(p.lstat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


@pytest.mark.bundle
def test_the_bundle_stays_under_its_size_ceiling() -> None:
    assert bundle_mib(BUNDLE) <= BUNDLE_CEILING_MIB


@pytest.mark.bundle
def test_no_link_in_the_bundle_points_at_a_file_left_out() -> None:
    assert [str(p.relative_to(BUNDLE)) for p in BUNDLE.rglob("*") if p.is_symlink() and not p.exists()] == []


@pytest.mark.bundle
def test_the_projects_modules_are_separate_files_and_libraries_stay_archived() -> None:
    internal = BUNDLE / "_internal"
    for package in ("kiosk", "drivers", "sync", "offline_cache", "egov_protocol", "ui"):
        assert (internal / package / "__init__.pyc").is_file(), package
    # Demo-only modules stay out (kiosk.spec DEMO_ONLY): the demo starts a platform process.
    assert not (internal / "kiosk" / "demo.pyc").exists() and not (internal / "sync" / "local_central.pyc").exists()
    assert not (internal / "httpx").exists()  # libraries stay in the executable's archive


@pytest.mark.bundle
def test_the_frozen_build_says_the_demo_is_not_in_it(tmp_path: Path) -> None:
    result = subprocess.run([str(BUNDLE / "kiosk"), "--demo"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HOME": str(tmp_path)})
    assert result.returncode == 2 and "--demo runs from the source tree" in result.stderr, result.stderr
