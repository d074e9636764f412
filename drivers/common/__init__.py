"""The device model shared by every driver family: states, errors, registry, owner threads.

See :mod:`drivers.common.errors` for the exception tree.
"""

from __future__ import annotations

from .device import Device, ScriptsFaults
from .errors import (
    DeviceBusy,
    DeviceError,
    DeviceIOError,
    DeviceNotFound,
    DeviceNotOpen,
    DeviceTimeout,
    DeviceUserError,
    NoDocumentPresent,
    ProtocolError,
)
from .faults import FaultScript
from .owner_thread import OwnerThread
from .registry import BackendRegistry
from .status import DeviceInfo, DeviceState, DeviceStatus, ErrorAction
from .worker import DeviceWorker

__all__ = [
    "BackendRegistry",
    "Device",
    "DeviceBusy",
    "DeviceError",
    "DeviceIOError",
    "DeviceInfo",
    "DeviceNotFound",
    "DeviceNotOpen",
    "DeviceState",
    "DeviceStatus",
    "DeviceTimeout",
    "DeviceUserError",
    "DeviceWorker",
    "ErrorAction",
    "FaultScript",
    "NoDocumentPresent",
    "OwnerThread",
    "ProtocolError",
    "ScriptsFaults",
]
