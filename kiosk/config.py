"""The terminal's configuration: one TOML file with typed, validated keys.

Every key has a default, so an empty file (or none at all) gives a terminal that runs entirely on
the simulated devices that ship with the product. Invalid values are reported together, each
naming its key (``journey.idle_timeout_s: must be greater than or equal to 10``), so staff can fix
a file in one go. ``docs/configuration.md`` documents every key; a test keeps the two in step.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_DATA_DIR = "~/.local/share/egov-kiosk"


class ConfigError(ValueError):
    """The configuration file cannot be used; ``problems`` lists one message per key."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"invalid configuration in {source}:\n  " + "\n  ".join(problems))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TerminalConfig(_Section):
    """Who this terminal is: it appears on receipts and in every submission."""

    site_code: str = Field("110105", description="Administrative division code of the hall (GB/T 2260, 6 digits).")
    terminal_id: str = Field("T01", description="Terminal number within the site (letters and digits, 1-8).")
    hall_name: str = Field("政务服务中心", description="Name of the service hall printed on receipts.")

    @field_validator("site_code")
    @classmethod
    def _site_code(cls, value: str) -> str:
        if not re.fullmatch(r"\d{6}", value):
            raise ValueError("must be a 6-digit GB/T 2260 division code, e.g. 110105")
        return value

    @field_validator("terminal_id")
    @classmethod
    def _terminal_id(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9]{1,8}", value):
            raise ValueError("must be 1-8 letters or digits, e.g. T01")
        return value


class UiConfig(_Section):
    """How the touchscreen looks."""

    language: Literal["zh-CN", "en"] = Field("zh-CN", description="Language a new session starts in.")
    fullscreen: bool = Field(True, description="Full-screen, frameless window (lockdown).")
    orientation: Literal["portrait", "landscape"] = Field("portrait", description="Screen orientation.")
    demo_controls: bool = Field(False, description="Show the simulated reader's 'present a document' buttons.")


class JourneyConfig(_Section):
    """Timing of a citizen's session."""

    idle_timeout_s: float = Field(120.0, ge=10, le=3600, description="Seconds without a touch before the session is wiped.")
    idle_warning_s: float = Field(30.0, ge=5, le=600, description="Seconds of visible, spoken countdown before the wipe.")
    done_timeout_s: float = Field(30.0, ge=5, le=600, description="Seconds the final screen stays before returning to the start.")
    document_wait_s: float = Field(2.0, gt=0, le=30, description="Length of one wait for a document on the reader; reads repeat while the identify screen is shown.")

    @model_validator(mode="after")
    def _warning_fits(self) -> "JourneyConfig":
        if self.idle_warning_s >= self.idle_timeout_s:
            raise ValueError("journey.idle_warning_s must be shorter than journey.idle_timeout_s")
        return self


class StorageConfig(_Section):
    """Where the terminal keeps its data."""

    data_dir: str = Field(DEFAULT_DATA_DIR, description="Folder for the database, keys and device output.")
    min_free_mb: int = Field(200, ge=10, description="Refuse new submissions below this much free disk.")

    def resolved_data_dir(self) -> Path:
        """The data folder with ``~`` and environment variables expanded."""
        return Path(os.path.expandvars(os.path.expanduser(self.data_dir)))


class CentralConfig(_Section):
    """The central platform this terminal forwards to."""

    url: str = Field("http://127.0.0.1:8700", description="Base URL of the central platform.")
    sync_interval_s: float = Field(30.0, ge=1, le=3600, description="Seconds between sync attempts when idle.")
    platform_keys_file: str = Field("", description="JSON file with the platform's public keys; empty: fetched once at enrollment.")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("must be an http:// or https:// URL without query or fragment")
        return value.rstrip("/")


class DeviceConfig(_Section):
    """One device: the backend to use and that backend's own options."""

    backend: str = Field("simulated", description="Backend name from the family's registry.")
    options: dict[str, Any] = Field(default_factory=dict, description="Keyword options passed to the backend.")


class DevicesConfig(_Section):
    """The four device families of a terminal."""

    id_reader: DeviceConfig = Field(default_factory=DeviceConfig, description="ID document reader.")
    camera: DeviceConfig = Field(default_factory=DeviceConfig, description="Face camera.")
    receipt_printer: DeviceConfig = Field(default_factory=DeviceConfig, description="Receipt (thermal) printer.")
    document_printer: DeviceConfig = Field(default_factory=DeviceConfig, description="A4 document printer.")


class ReceiptConfig(_Section):
    """What goes on the printed receipt."""

    lookup_url: str = Field(
        "https://zwfw.example.gov.cn/progress?no={receipt_number}",
        description="Progress lookup address printed as a QR code; {receipt_number} is replaced.",
    )
    hotline: str = Field("12345", description="Service hotline printed on receipts.")

    @field_validator("lookup_url")
    @classmethod
    def _lookup(cls, value: str) -> str:
        if "{receipt_number}" not in value:
            raise ValueError("must contain {receipt_number}")
        return value


class KioskConfig(_Section):
    """The whole configuration of one terminal."""

    terminal: TerminalConfig = Field(default_factory=TerminalConfig, description="Terminal identity.")
    ui: UiConfig = Field(default_factory=UiConfig, description="Touchscreen.")
    journey: JourneyConfig = Field(default_factory=JourneyConfig, description="Session timing.")
    storage: StorageConfig = Field(default_factory=StorageConfig, description="Local storage.")
    central: CentralConfig = Field(default_factory=CentralConfig, description="Central platform.")
    devices: DevicesConfig = Field(default_factory=DevicesConfig, description="Devices.")
    receipt: ReceiptConfig = Field(default_factory=ReceiptConfig, description="Receipt contents.")

    def with_overrides(self, **sections: dict[str, Any]) -> "KioskConfig":
        """A copy with some sections' keys replaced, validated like a file would be."""
        data = self.model_dump()
        for section, values in sections.items():
            data.setdefault(section, {}).update(values)
        return parse_config(data, "overrides")


def _key_of(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location) or "(top level)"


def _device_problems(devices: DevicesConfig) -> list[str]:
    # Imported here: the registries fill as the driver packages import, and config must stay
    # importable (e.g. by docs tooling) without loading every driver.
    import inspect

    from .devices import REGISTRIES

    problems = []
    for role, registry in REGISTRIES.items():
        device: DeviceConfig = getattr(devices, role)
        if device.backend not in registry:
            problems.append(f"devices.{role}.backend: unknown backend {device.backend!r}; known: {', '.join(registry.names())}")
            continue
        if not device.options:
            continue  # nothing to check, and no reason to import the backend's libraries now
        backend = registry.backend_class(device.backend)
        accepted = set(inspect.signature(backend).parameters)
        for option in device.options:
            if option not in accepted:
                problems.append(
                    f"devices.{role}.options.{option}: not an option of backend {device.backend!r}; "
                    f"accepted: {', '.join(sorted(accepted)) or '(none)'}"
                )
    return problems


def parse_config(data: dict[str, Any], source: str = "configuration") -> KioskConfig:
    """Validate ``data`` (as read from TOML); raises :class:`ConfigError` naming every bad key."""
    try:
        config = KioskConfig.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key (see docs/configuration.md)"
            problems.append(f"{_key_of(error['loc'])}: {message}")
        raise ConfigError(source, problems) from None
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


def documented_keys(model: type[BaseModel] = KioskConfig, prefix: str = "") -> list[str]:
    """Every leaf key path of the configuration, e.g. ``journey.idle_timeout_s``."""
    keys: list[str] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(documented_keys(annotation, f"{prefix}{name}."))
        else:
            keys.append(f"{prefix}{name}")
    return keys
