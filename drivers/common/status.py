"""Device states, who must act on an error, and the status/info records every driver reports."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DeviceState(StrEnum):
    """The state of a device, as shown on diagnostics screens (XFS4IoT ``device`` status)."""

    ONLINE = "online"
    OFFLINE = "offline"
    NO_DEVICE = "no_device"
    HARDWARE_ERROR = "hardware_error"
    USER_ERROR = "user_error"
    BUSY = "busy"
    STARTING = "starting"


class ErrorAction(StrEnum):
    """Who (or what) must act to bring a device back (XFS4IoT ``errorAction``-like).

    ``CLEAR`` is something staff on site can fix (paper, a jam); ``MAINTENANCE`` needs an engineer;
    ``CONFIGURATION`` a settings change; ``SOFTWARE`` a software fix; ``RESET`` a device reset;
    ``SUSPEND`` means the device must not be used for now.
    """

    NONE = "none"
    RESET = "reset"
    CLEAR = "clear"
    MAINTENANCE = "maintenance"
    CONFIGURATION = "configuration"
    SOFTWARE = "software"
    SUSPEND = "suspend"


@dataclass(frozen=True)
class DeviceStatus:
    """A device's state, the action needed (if any) and a short, non-personal detail text."""

    state: DeviceState
    action: ErrorAction = ErrorAction.NONE
    detail: str = ""

    @property
    def is_ready(self) -> bool:
        """True when the device is online and nothing needs doing."""
        return self.state is DeviceState.ONLINE and self.action is ErrorAction.NONE


@dataclass(frozen=True)
class DeviceInfo:
    """What a device is: family ("idcard", "camera", ...), backend name, model, serial, firmware."""

    family: str
    backend: str
    model: str
    serial: str
    firmware: str
