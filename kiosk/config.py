"""The terminal's configuration: one TOML file with typed, validated keys.

Every key has a default, so an empty file (or none at all) gives a terminal that runs entirely on
the simulated devices that ship with the product. Invalid values are reported together, each
naming its key (``journey.idle_timeout_s: must be at least 10``), so staff can fix a file in one
go. ``docs/configuration.md`` documents every key; a test keeps the two in step.

Plain dataclasses and a small checker rather than a validation framework: the configuration is
read on the GUI thread's path to the first screen, where every import counts (bench/startup.py).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from egov_protocol.protocol import insecure_platform_url

from .config_keys import between, key, matches, section
from .restart_window import check_window

DEFAULT_DATA_DIR = "~/.local/share/egov-kiosk"


class ConfigError(ValueError):
    """The configuration file cannot be used; ``problems`` lists one message per key."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"invalid configuration in {source}:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class TerminalConfig:
    """Who this terminal is: it appears on receipts and in every submission."""

    site_code: str = key("110105", "Administrative division code of the hall (GB/T 2260, 6 digits).",
                         matches(r"\d{6}", "must be a 6-digit GB/T 2260 division code, e.g. 110105"))
    terminal_id: str = key("T01", "Terminal number within the site (letters and digits, 1-8).",
                           matches(r"[A-Za-z0-9]{1,8}", "must be 1-8 letters or digits, e.g. T01"))
    hall_name: str = key("政务服务中心", "Name of the service hall printed on receipts.")
    restart_window: str = key("03:00-04:00", "Nightly restart window (local HH:MM-HH:MM); empty: never.",
                              check_window)


@dataclass(frozen=True)
class UiConfig:
    """How the touchscreen looks."""

    language: Literal["zh-CN", "en"] = key("zh-CN", "Language a new session starts in.")
    fullscreen: bool = key(True, "Full-screen, frameless window (lockdown).")
    orientation: Literal["portrait", "landscape"] = key("portrait", "Screen orientation.")
    demo_controls: bool = key(False, "Show the simulated reader's 'present a document' buttons.")
    voice_engine: str = key("", "Qt TextToSpeech engine for spoken prompts; empty: Qt's default, 'none': silent.",
                            matches(r"[A-Za-z0-9_.-]*", "must be empty, 'none' or an engine name such as speechd"))
    voice_stuck_s: float = key(5.0, "Seconds a text-to-speech command may take before voice is switched off as stuck.",
                               between(0.5, 60))


@dataclass(frozen=True)
class JourneyConfig:
    """Timing of a citizen's session."""

    idle_timeout_s: float = key(120.0, "Seconds without a touch before the session is wiped.", between(10, 3600))
    idle_warning_s: float = key(30.0, "Seconds of visible, spoken countdown before the wipe.", between(20, 600))
    done_timeout_s: float = key(30.0, "Seconds the final screen stays before returning to the start.", between(5, 600))
    document_wait_s: float = key(2.0, "Length of one wait for a document on the reader.",
                                 between(0, 30, exclusive_low=True))
    card_removal: Literal["keep", "wipe"] = key(
        "keep", "After a successful read: 'keep' lets the citizen take the document back; 'wipe' ends "
        "the session when it leaves the reader before the done screen.")
    card_left_alert_s: float = key(
        60.0, "Seconds a document may lie on the reader after the done screen or a wipe (the screen and "
        "voice asking to take it back) before staff are alerted.", between(5, 3600))


@dataclass(frozen=True)
class StorageConfig:
    """Where the terminal keeps its data."""

    data_dir: str = key(DEFAULT_DATA_DIR, "Folder for the database, keys and device output.")
    min_free_mb: int = key(200, "Refuse new submissions below this much free disk.", between(10))

    def resolved_data_dir(self) -> Path:
        """The data folder with ``~`` and environment variables expanded."""
        return Path(os.path.expandvars(os.path.expanduser(self.data_dir)))


@dataclass(frozen=True)
class CentralConfig:
    """The central platform this terminal forwards to."""

    url: str = key("http://127.0.0.1:8700", "Base URL of the central platform.",
                   matches(r"https?://[^\s/?#]+(/[^\s?#]*)?",
                           "must be an http:// or https:// URL without query or fragment"),
                   insecure_platform_url)
    sync_interval_s: float = key(30.0, "Seconds between sync attempts when idle.", between(1, 3600))
    platform_keys_file: str = key("", "JSON file with the platform's public keys; empty: <data_dir>/platform.json.")


@dataclass(frozen=True)
class DeviceConfig:
    """One device: the backend to use and that backend's own options."""

    backend: str = key("simulated", "Backend name from the family's registry.")
    options: dict[str, Any] = key({}, "Keyword options passed to the backend.")


@dataclass(frozen=True)
class DevicesConfig:
    """The device roles of a terminal."""

    id_reader: DeviceConfig = section(DeviceConfig, "ID document reader.")
    camera: DeviceConfig = section(DeviceConfig, "Face camera.")
    receipt_printer: DeviceConfig = section(DeviceConfig, "Receipt (thermal) printer.")
    document_printer: DeviceConfig = section(DeviceConfig, "A4 document printer.")
    code_scanner: DeviceConfig = section(DeviceConfig, "QR/barcode scanner (网证 codes, receipts); backend "
                                         "'camera' decodes from a camera of its own.")
    document_camera: DeviceConfig = section(DeviceConfig, "Document camera (高拍仪) for paper materials.")


@dataclass(frozen=True)
class ReceiptConfig:
    """What goes on the printed receipt."""

    lookup_url: str = key("",
                          "Progress address printed as a QR code; {receipt_number} and {token} (the case's "
                          "progress token) are replaced. Empty: the platform's progress page under central.url.",
                          lambda value: None if not value or "{receipt_number}" in value
                          else "must contain {receipt_number}")
    hotline: str = key("12345", "Service hotline printed on receipts.")


@dataclass(frozen=True)
class FaceConfig:
    """The face step: guidance, photo quality limits, automatic capture, liveness, 1:1 match."""

    detect_width: int = key(320, "Width the frame is scaled to for face detection (pixels).", between(160, 1280))
    min_eye_distance_px: float = key(40.0, "Smallest eye distance in camera pixels (else 'come closer').",
                                     between(10, 1000))
    min_face_height_ratio: float = key(0.2, "Smallest face height as a share of the frame height.", between(0.05, 1))
    max_face_height_ratio: float = key(0.6, "Largest face height as a share of the frame height (else 'move back').",
                                       between(0.1, 1))
    max_centre_offset: float = key(0.12, "Largest offset of the face from the guide's centre, share of the frame.",
                                   between(0.01, 0.5))
    max_roll_deg: float = key(8.0, "Largest head tilt (roll) in degrees.", between(1, 45))
    max_yaw: float = key(0.15, "Largest sideways turn (nose offset / eye distance).", between(0.02, 1))
    min_sharpness: float = key(25.0, "Smallest Laplacian variance of the face (else 'blurred').", between(0))
    min_brightness: float = key(70.0, "Darkest acceptable mean face luminance (0-255).", between(0, 255))
    max_brightness: float = key(210.0, "Brightest acceptable mean face luminance (0-255).", between(0, 255))
    min_lr_balance: float = key(0.7, "Smallest ratio of the darker to the lighter half of the face.", between(0, 1))
    max_background_std: float = key(40.0, "Largest luminance spread of the wall beside the head.", between(0))
    max_motion: float = key(0.08, "Largest movement between frames, in eye distances (else 'hold still').",
                            between(0.001, 1))
    hold_frames: int = key(4, "Frames a new prompt must persist before it is shown (hysteresis).", between(1, 60))
    capture_frames: int = key(8, "Good frames in a row before the capture countdown starts.", between(1, 300))
    countdown_s: float = key(3.0, "Seconds of countdown before the automatic photo.", between(0, 10))
    jpeg_quality: int = key(90, "JPEG quality of the ID photo.", between(50, 100))
    liveness: bool = key(True, "Run a random active liveness challenge (turn left/right, nod) before the photo.")
    liveness_timeout_s: float = key(8.0, "Seconds the citizen has to perform the challenge.", between(2, 60))
    liveness_sensor: str = key("", "Vendor NIR/3D liveness sensor backend; empty: none.")
    matcher: str = key("dlib", "1:1 face matcher backend; empty: none (every journey goes to staff review).")
    match_threshold: float = key(0.6, "Largest descriptor distance counted as the same person (dlib).",
                                 between(0.1, 1.5))


@dataclass(frozen=True)
class NetIdConfig:
    """Identifying with the national network identity (网证) QR code (:mod:`sync.netid`)."""

    url: str = key("", "Base URL of the 网证 verification service (the simulator: python -m netid_sim); "
                   "empty: the identify screen does not offer 网证.",
                   lambda value: None if not value or re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value)
                   else "must be empty or an http:// or https:// URL without query or fragment")
    timeout_s: float = key(5.0, "Seconds one verification may take before the service counts as unreachable.",
                           between(0.5, 60))


@dataclass(frozen=True)
class MaterialsConfig:
    """The scanning step: how paper pages are taken on the document camera and compressed."""

    colour: bool = key(False, "Keep scanned pages in colour; false: greyscale (smaller, as most materials are).")
    image_format: Literal["jpeg", "webp"] = key("jpeg", "How a scanned page is compressed.")
    max_page_kb: int = key(300, "Largest a compressed page may be, in KB (1000 bytes).", between(50, 300))
    steady_frames: int = key(6, "Frames a page must lie still before it is taken automatically.", between(1, 60))
    min_dpi: float = key(140.0, "Lowest resolution a page may be seen at (dots per inch; A4 at 150 dpi is the aim).",
                         between(50, 600))


@dataclass(frozen=True)
class MaintenanceConfig:
    """The staff maintenance mode (hidden gesture + PIN on the attract screen)."""

    idle_timeout_s: float = key(120.0, "Seconds without a touch before staff are signed out.", between(15, 3600))
    export_dir: str = key("", "Folder logs are exported to; empty: the first USB medium mounted under /media.")


@dataclass(frozen=True)
class UpdatesConfig:
    """Updates of the terminal software (``kioskctl update``; deploy/README.md)."""

    install_dir: str = key("/opt/egov-kiosk", "Folder with releases/, current and good.")
    trusted_root: str = key("", "The TUF root the terminal trusts; empty: <install_dir>/update-root.json.")
    health_s: float = key(600.0, "Seconds a new version must run without a restart to be kept.",
                          between(10, 86400))
    self_test: str = key("{release}/kiosk --self-test", "Command that checks a release before it runs.")
    max_kbps: float = key(0.0, "Download limit in KB/s; 0: none.", between(0))


@dataclass(frozen=True)
class KioskConfig:
    """The whole configuration of one terminal."""

    terminal: TerminalConfig = section(TerminalConfig, "Terminal identity.")
    ui: UiConfig = section(UiConfig, "Touchscreen.")
    journey: JourneyConfig = section(JourneyConfig, "Session timing.")
    storage: StorageConfig = section(StorageConfig, "Local storage.")
    central: CentralConfig = section(CentralConfig, "Central platform.")
    devices: DevicesConfig = section(DevicesConfig, "Devices.")
    receipt: ReceiptConfig = section(ReceiptConfig, "Receipt contents.")
    face: FaceConfig = section(FaceConfig, "Face step.")
    materials: MaterialsConfig = section(MaterialsConfig, "Scanning paper materials.")
    maintenance: MaintenanceConfig = section(MaintenanceConfig, "Staff maintenance mode.")
    netid: NetIdConfig = section(NetIdConfig, "网证 (national network identity).")
    updates: UpdatesConfig = section(UpdatesConfig, "Software updates.")

    def to_dict(self) -> dict[str, Any]:
        """The configuration as nested plain data (as it would be read from TOML)."""
        return dataclasses.asdict(self)

    def progress_address(self) -> str:
        """The receipt QR code's address template: ``receipt.lookup_url``, or by default the
        platform's public progress page ``<central.url>/progress/{receipt_number}?t={token}``."""
        return self.receipt.lookup_url or self.central.url.rstrip("/") + "/progress/{receipt_number}?t={token}"

    def with_overrides(self, **sections: dict[str, Any]) -> KioskConfig:
        """A copy with some sections' keys replaced, validated like a file would be."""
        data = self.to_dict()
        for name, values in sections.items():
            data.setdefault(name, {}).update(values)
        return parse_config(data, "overrides")


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _type_problem(value: Any, annotation: Any) -> str | None:
    """``None`` when ``value`` fits ``annotation``; else what was expected."""
    if typing.get_origin(annotation) is Literal:
        choices = typing.get_args(annotation)
        return None if value in choices else "must be one of " + ", ".join(repr(c) for c in choices)
    if annotation is bool:
        return None if isinstance(value, bool) else "must be true or false"
    if annotation is int:
        return None if isinstance(value, int) and not isinstance(value, bool) else "must be a whole number"
    if annotation is float:
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else "must be a number"
    if annotation is str:
        return None if isinstance(value, str) else "must be a string"
    if typing.get_origin(annotation) is dict:
        return None if isinstance(value, dict) else "must be a table"
    raise TypeError(f"unsupported configuration type {annotation!r}")


def _build(cls: type, data: Any, prefix: str, problems: list[str]) -> Any:
    if not isinstance(data, dict):
        problems.append(f"{prefix.rstrip('.') or '(top level)'}: must be a table")
        return cls()
    hints = _hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls)}
    for name in data:
        if name not in known:
            problems.append(f"{prefix}{name}: unknown key (see docs/configuration.md)")
    values: dict[str, Any] = {}
    for name, spec in known.items():
        if name not in data:
            continue
        annotation = hints[name]
        if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
            values[name] = _build(annotation, data[name], f"{prefix}{name}.", problems)
            continue
        value = data[name]
        problem = _type_problem(value, annotation)
        if problem is None:
            for check in spec.metadata["checks"]:
                problem = check(value)
                if problem:
                    break
        if problem:
            problems.append(f"{prefix}{name}: {problem}")
        else:
            values[name] = float(value) if annotation is float else value
    return cls(**values)


def _device_problems(devices: DevicesConfig) -> list[str]:
    # Imported here: the registries fill as the driver packages import.
    import inspect

    from .device_roles import REGISTRIES

    problems = []
    for role, registry in REGISTRIES.items():
        device: DeviceConfig = getattr(devices, role)
        if device.backend not in registry:
            known = ", ".join(registry.names())
            problems.append(f"devices.{role}.backend: unknown backend {device.backend!r}; known: {known}")
            continue
        if not device.options:
            continue  # nothing to check, and no reason to import the backend's libraries now
        accepted = set(inspect.signature(registry.backend_class(device.backend)).parameters)
        for option in device.options:
            if option not in accepted:
                problems.append(
                    f"devices.{role}.options.{option}: not an option of backend {device.backend!r}; "
                    f"accepted: {', '.join(sorted(accepted)) or '(none)'}"
                )
    return problems


def parse_config(data: dict[str, Any], source: str = "configuration") -> KioskConfig:
    """Validate ``data`` (as read from TOML); raises :class:`ConfigError` naming every bad key."""
    problems: list[str] = []
    config: KioskConfig = _build(KioskConfig, data, "", problems)
    if not problems and config.journey.idle_warning_s >= config.journey.idle_timeout_s:
        problems.append("journey.idle_warning_s: must be shorter than journey.idle_timeout_s")
    if not problems:
        problems = _device_problems(config.devices)
    if problems:
        raise ConfigError(source, problems)
    return config


def load_config(path: str | os.PathLike[str] | None = None) -> KioskConfig:
    """Read the TOML file at ``path``; ``None`` gives the embedded all-simulated default."""
    if path is None:
        return KioskConfig()
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(str(path), ["file not found"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), [f"not valid TOML: {exc}"]) from None
    return parse_config(data, str(path))


def documented_keys(cls: type = KioskConfig, prefix: str = "") -> list[str]:
    """Every leaf key path of the configuration, e.g. ``journey.idle_timeout_s``."""
    keys: list[str] = []
    hints = _hints(cls)
    for spec in dataclasses.fields(cls):
        annotation = hints[spec.name]
        if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
            keys.extend(documented_keys(annotation, f"{prefix}{spec.name}."))
        else:
            keys.append(f"{prefix}{spec.name}")
    return keys
