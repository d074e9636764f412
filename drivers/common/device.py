"""The lifecycle every device interface shares."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol, runtime_checkable

from .status import DeviceInfo, DeviceStatus


class Device(ABC):
    """Base of every device interface (ID reader, camera, printers).

    Constructors only store options: no I/O. :meth:`open` acquires the device and :meth:`close`
    releases it; both are idempotent. There is no ``__del__``: the owner closes explicitly. All
    methods run on the device's owner thread (:class:`~drivers.common.DeviceWorker`) unless their
    docstring says otherwise.
    """

    #: Device family name used in :class:`DeviceInfo` ("idcard", "camera", ...).
    family: str = "device"

    @abstractmethod
    def open(self) -> None:
        """Acquire the device; raises :class:`~drivers.common.DeviceError` subclasses (owner thread)."""

    @abstractmethod
    def close(self) -> None:
        """Release the device; safe to call twice or after a failed open (owner thread)."""

    @abstractmethod
    def status(self) -> DeviceStatus:
        """The device's current status; cheap, and "offline" while not open (owner thread)."""

    @abstractmethod
    def info(self) -> DeviceInfo:
        """Model, serial and firmware; may need the device open for real hardware (owner thread)."""

    @abstractmethod
    def is_usable(self) -> bool:
        """Cheap probe for diagnostics: could this backend work here? Never raises (any thread)."""


@runtime_checkable
class ScriptsFaults(Protocol):
    """Capability of the simulated backends: their failures can be scripted (staff training,
    tests). ``fault_kinds`` names what :meth:`script_fault` accepts."""

    fault_kinds: tuple[str, ...]

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Make the next ``count`` attempts fail with ``kind`` (any thread)."""
