"""``kioskctl doctor``: everything the terminal needs, each with a verdict and a fix staff can follow.

Checks follow the configuration: a PC/SC check only when a reader uses ``pcsc``, serial checks
for the ports configured, CUPS checks for ``cups`` printers. Verdicts are ``ok``, ``warn`` and
``fail``; :func:`exit_code` maps them to 0, 1 and 2 for scripts. The probes that need a library
live in the layer allowed to import it (``drivers.idcard.pcsc_probe``, ``drivers.common.ports``,
``sync.clock_probe``). Runs on the calling thread (a command line, not the GUI); nothing it reports
is personal.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

from drivers.camera import Camera

from .config import DeviceConfig, KioskConfig
from .doctor_check import FAIL, OK, SKEW_FAIL_S, SKEW_WARN_S, WARN, Check, Seams
from .doctor_cups import check_cups, check_cups_job_files

__all__ = ["FAIL", "OK", "WARN", "Check", "Seams", "check_cups", "check_cups_job_files",
           "exit_code", "render_json", "render_text", "run_checks"]


def _data_dir(config: KioskConfig) -> Path:
    return config.storage.resolved_data_dir()


def check_disk(config: KioskConfig, seams: Seams) -> Check:
    """Free space in the data folder against the floor (fail) and twice the floor (warn)."""
    probe = _data_dir(config)
    while not probe.exists():
        probe = probe.parent
    free_mb = seams.free_bytes(probe) // (1024 * 1024)
    floor = config.storage.min_free_mb
    detail = f"{free_mb} MB free in {probe} (floor {floor} MB)"
    if free_mb < floor:
        return Check("disk", FAIL, detail + ": new submissions are refused",
                     "free disk space (old logs, exports) or move storage.data_dir to a larger disk; "
                     "never delete kiosk.db")
    if free_mb < 2 * floor:
        return Check("disk", WARN, detail, "free disk space soon: the terminal refuses submissions below the floor")
    return Check("disk", OK, detail)


def check_font() -> Check:
    """A CJK font must be installed, or Chinese renders as boxes."""
    try:
        result = subprocess.run(["fc-match", "-f", "%{family}", "sans-serif:lang=zh-cn"],
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("cjk font", FAIL, f"fc-match did not run: {exc}", "apt-get install fontconfig fonts-noto-cjk")
    family = result.stdout.strip()
    ok = "CJK" in family or "WenQuanYi" in family
    return Check("cjk font", OK if ok else FAIL, family or "none", "" if ok else "apt-get install fonts-noto-cjk")


VOICE_FIX = ("apt-get install speech-dispatcher speech-dispatcher-espeak-ng espeak-ng "
             "(tools/setup-system.sh), then restart the kiosk")


def check_voice(config: KioskConfig) -> Check:
    """Spoken prompts need speech-dispatcher with espeak-ng and its Mandarin and English voices.

    Without them the kiosk is silent and hides its voice buttons: a warning, not a failure.
    """
    engine = config.ui.voice_engine
    if engine == "none":
        return Check("voice", OK, "off in the configuration (ui.voice_engine = \"none\")")
    if engine not in ("", "speechd"):
        return Check("voice", WARN if engine == "mock" else OK, f"engine {engine!r}: not checked",
                     "Qt's test engine is silent: set ui.voice_engine = \"\"" if engine == "mock" else "")
    server = shutil.which("speech-dispatcher")
    if server is None:
        return Check("voice", WARN, "speech-dispatcher is not installed: prompts are not spoken", VOICE_FIX)
    module = Path(server).resolve().parents[1] / "lib" / "speech-dispatcher-modules" / "sd_espeak-ng"
    espeak = shutil.which("espeak-ng")
    if not module.exists() or espeak is None:
        return Check("voice", WARN, "speech-dispatcher has no espeak-ng module: prompts are not spoken", VOICE_FIX)
    try:
        listed = subprocess.run([espeak, "--voices"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("voice", WARN, f"espeak-ng did not run: {exc}", VOICE_FIX)
    languages = {line.split()[1] for line in listed.splitlines()[1:] if len(line.split()) > 1}
    missing = [name for name, code in (("Mandarin", "cmn"), ("English", "en-us")) if code not in languages]
    if missing:
        return Check("voice", WARN, f"espeak-ng has no {' or '.join(missing)} voice", VOICE_FIX)
    return Check("voice", OK, "speech-dispatcher with espeak-ng (Mandarin and English voices)")


def check_store(config: KioskConfig) -> Check:
    """The local database opens, migrates and passes its integrity check."""
    from offline_cache import Store

    path = _data_dir(config) / "kiosk.db"
    if not path.exists():
        return Check("local store", OK, f"{path} not created yet (created on first start)")
    store = Store(path)
    try:
        store.open()
        verdict = store.integrity_check()
    except Exception as exc:
        return Check("local store", FAIL, f"{type(exc).__name__}: {exc}", "call an engineer; do not delete the file")
    finally:
        store.close()
    return Check("local store", OK if verdict == "ok" else FAIL, verdict,
                 "" if verdict == "ok" else "call an engineer; do not delete the file")


def _readers(config: KioskConfig) -> list[DeviceConfig | dict[str, Any]]:
    """The configured ID readers, with the children of a ``multi`` reader."""
    reader = config.devices.id_reader
    if reader.backend == "multi":
        return [entry for entry in reader.options.get("readers", []) if isinstance(entry, dict)]
    return [reader]


def _backend(entry: DeviceConfig | dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if isinstance(entry, dict):
        return str(entry.get("backend")), dict(entry.get("options") or {})
    return entry.backend, dict(entry.options)


def check_pcsc(config: KioskConfig, seams: Seams) -> list[Check]:
    """pcscd answers and the configured PC/SC reader is present (only when one is configured)."""
    wanted = [options for backend, options in map(_backend, _readers(config)) if backend == "pcsc"]
    if not wanted:
        return []
    from drivers.idcard.pcsc_probe import is_virtual_reader, pick_reader, probe_pcsc

    report = probe_pcsc(seams.pcscd_socket)
    if not report.running:
        return [Check("pcscd", FAIL, f"pcscd is not running ({report.socket_path}: {report.error})",
                      "start it: systemctl enable --now pcscd.socket (apt-get install pcscd if missing)")]
    checks = [Check("pcscd", OK, f"answers on {report.socket_path}")]
    if report.error:
        return [*checks, Check("pc/sc readers", FAIL, report.error, "restart pcscd: systemctl restart pcscd")]
    for options in wanted:
        name = str(options.get("reader_name") or "")
        found = pick_reader(report.readers, name, bool(options.get("allow_virtual_readers")))
        if found:
            checks.append(Check("pc/sc readers", OK, found))
        elif any(is_virtual_reader(r) and name in r for r in report.readers):
            checks.append(Check("pc/sc readers", FAIL, f"only a virtual reader (refused): {', '.join(report.readers)}",
                                "a terminal reads passports on a real reader: apt-get purge vsmartcard-vpcd, "
                                "plug the passport reader in"))
        else:
            seen = ", ".join(report.readers) or "none"
            checks.append(Check("pc/sc readers", FAIL,
                                f"no reader{' named ' + repr(name) if name else ''} (pcscd sees: {seen})",
                                "plug the passport reader in (USB), wait 5 s, run doctor again; "
                                "if it stays missing, check its udev rule and restart pcscd"))
    return checks


def check_csca(config: KioskConfig) -> list[Check]:
    """Each ``pcsc`` reader has CSCA certificates that load: without them no ePassport's signature
    chain is verified. Only the demo and test set-ups (``ui.demo_controls``, or a reader that
    allows virtual readers) may run without them, with a warning."""
    from drivers.idcard.emrtd.sod import load_csca_certificates

    checks = []
    for backend, options in map(_backend, _readers(config)):
        if backend != "pcsc":
            continue
        path = str(options.get("csca_path") or "")
        demo = config.ui.demo_controls or bool(options.get("allow_virtual_readers"))
        if not path:
            detail = "no csca_path: ePassports are read but shown to staff as 'not authenticated'"
            checks.append(Check("csca certificates", WARN if demo else FAIL, detail,
                                "set devices.id_reader.options.csca_path to the CSCA masterlist folder"))
            continue
        try:
            count = len(load_csca_certificates(path))
        except (OSError, ValueError) as exc:
            checks.append(Check("csca certificates", FAIL, f"{path}: {type(exc).__name__}: {exc}",
                                "put the CSCA certificates (PEM or DER) there, readable by the kiosk user"))
            continue
        checks.append(Check("csca certificates", OK if count else FAIL, f"{count} in {path}",
                            "" if count else "put the CSCA certificates (PEM or DER) there"))
    return checks


def _serial_ports(config: KioskConfig) -> list[tuple[str, str]]:
    ports = []
    for backend, options in map(_backend, _readers(config)):
        if backend == "sam":
            ports.append(("id_reader", str(options.get("port", "/dev/ttyUSB0"))))
    printer = config.devices.receipt_printer
    if printer.backend == "serial":
        ports.append(("receipt_printer", str(printer.options.get("port", ""))))
    scanner = config.devices.code_scanner
    if scanner.backend == "serial":
        ports.append(("code_scanner", str(scanner.options.get("port", "/dev/ttyACM0"))))
    return ports


def check_serial(config: KioskConfig) -> list[Check]:
    """Each configured serial port exists, is a device, is ours to read and write, and opens."""
    from drivers.common.ports import probe_serial

    checks = []
    for role, port in _serial_ports(config):
        report = probe_serial(port)
        checks.append(Check(f"serial port ({role})", report.verdict, report.detail, report.fix))
    return checks


def check_device(config: KioskConfig, role: str) -> Check:
    """Build the configured backend and ask it whether it is usable (the camera: one frame)."""
    from .devices import DeviceConfigError, create_driver

    device = getattr(config.devices, role)
    try:
        driver = create_driver(role, device, _data_dir(config))
    except DeviceConfigError as exc:
        return Check(role, FAIL, str(exc), f"fix devices.{role} in the configuration")
    if isinstance(driver, Camera):
        return _camera_frame(driver, device.backend, role)
    ok = driver.is_usable()
    return Check(role, OK if ok else FAIL, f"backend {device.backend}",
                 "" if ok else "check the cable and power, then run doctor again")


def _camera_frame(camera: Camera, backend: str, role: str = "camera") -> Check:
    from drivers.common import DeviceError

    try:
        camera.open()
        try:
            frame = camera.read_frame(5.0)
        finally:
            camera.close()
    except DeviceError as exc:
        return Check(role, FAIL, f"backend {backend}: {type(exc).__name__}: {exc}",
                     "check the camera's USB cable, then run doctor again; another program may hold it")
    return Check(role, OK, f"backend {backend}: one frame read ({frame.width}x{frame.height})")


def check_keys(config: KioskConfig) -> Check:
    """The terminal's signing key: present, and readable by nobody else."""
    from egov_protocol.keys import TERMINAL_NEXT_KEY_FILE, TERMINAL_SIGNING_KEY_FILE

    path = _data_dir(config) / "keys" / TERMINAL_SIGNING_KEY_FILE
    if (path.parent / TERMINAL_NEXT_KEY_FILE).exists():
        return Check("terminal key", WARN, "a re-key did not finish (the platform may already "
                     "expect the new key)", "stop the kiosk and run kioskctl rekey again")
    if not path.exists():
        return Check("terminal key", WARN, "not created yet (created on first start or enrollment)",
                     "start the kiosk once or enroll: kioskctl enroll --token TOKEN")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Check("terminal key", FAIL, f"{path} has mode {mode:o}: others may have copied it",
                     "ask the platform operators for a token bound to this terminal, then "
                     "kioskctl rekey --token TOKEN (queued submissions stay deliverable)")
    return Check("terminal key", OK, f"{path} (mode {mode:o})")


def check_enrollment(config: KioskConfig) -> Check:
    """The terminal knows the platform's keys, so it can seal submissions."""
    from .enrollment import Enrollment

    try:
        keys = Enrollment(_data_dir(config), config.central.platform_keys_file).platform_keys()
    except ValueError as exc:
        return Check("enrollment", FAIL, str(exc), "enroll again: kioskctl enroll --token TOKEN")
    if keys is None:
        return Check("enrollment", FAIL, "not enrolled", "kioskctl enroll --token TOKEN")
    return Check("enrollment", OK, f"enrolled as {keys.terminal_id} with {keys.central_url}")


def check_clock(config: KioskConfig, seams: Seams) -> Check:
    """This clock against the central platform's (signed requests allow ±5 minutes)."""
    from sync.clock_probe import clock_skew_s

    try:
        skew = clock_skew_s(config.central.url, now=seams.now)
    except OSError as exc:
        return Check("clock", WARN, f"not compared: {exc}",
                     "check the network cable; the terminal works offline and sends later")
    ahead = "ahead of" if skew >= 0 else "behind"
    detail = f"{abs(skew):.0f} s {ahead} the central platform"
    if abs(skew) > SKEW_FAIL_S:
        return Check("clock", FAIL, detail + ": the platform refuses its requests",
                     "set the time: timedatectl set-ntp true (check the NTP server is reachable)")
    if abs(skew) > SKEW_WARN_S:
        return Check("clock", WARN, detail, "turn on time sync: timedatectl set-ntp true")
    return Check("clock", OK, detail)


def run_checks(config: KioskConfig, seams: Seams | None = None) -> list[Check]:
    """Every check of ``kioskctl doctor``, in the order staff should fix them."""
    seams = seams or Seams()
    checks = [check_disk(config, seams), check_font(), check_voice(config), check_store(config)]
    checks += check_pcsc(config, seams) + check_csca(config)
    if seams.open_devices:
        checks += check_serial(config)
    for role in ("id_reader", "camera", "receipt_printer", "document_printer", "document_camera", "code_scanner"):
        cups = check_cups(config, role)
        if cups is not None or seams.open_devices:
            checks.append(cups if cups is not None else check_device(config, role))
        job_files = check_cups_job_files(config, role) if cups is not None and cups.verdict == OK else None
        if job_files is not None:
            checks.append(job_files)
    checks += [check_keys(config), check_enrollment(config), check_clock(config, seams)]
    return checks


def exit_code(checks: list[Check]) -> int:
    """0 when everything is ok, 1 with warnings only, 2 with any failure."""
    verdicts = {check.verdict for check in checks}
    return 2 if FAIL in verdicts else 1 if WARN in verdicts else 0


def render_text(checks: list[Check]) -> str:
    """The report staff read: one line per check, the fix under each that is not ok."""
    marks = {OK: "ok  ", WARN: "WARN", FAIL: "FAIL"}
    lines = []
    for check in checks:
        lines.append(f"[{marks[check.verdict]}] {check.name}: {check.detail}")
        if check.fix and check.verdict != OK:
            lines.append(f"       fix: {check.fix}")
    return "\n".join(lines)


def render_json(checks: list[Check]) -> str:
    """The report for scripts: ``{"exit_code": n, "checks": [{name, verdict, detail, fix}]}``."""
    return json.dumps({"exit_code": exit_code(checks), "checks": [asdict(c) for c in checks]},
                      ensure_ascii=False, indent=2)
