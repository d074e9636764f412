"""Device orchestration: one owner thread per device, backends chosen by configuration.

Every call into a driver runs on that device's :class:`~drivers.common.DeviceWorker`, so a driver
never sees two threads and the GUI thread never waits on hardware. Status changes are published as
``device_status_changed`` events.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, Generic, Literal, ParamSpec, TypeVar, overload

from drivers.camera import Camera
from drivers.common import (
    Device,
    DeviceError,
    DeviceState,
    DeviceStatus,
    DeviceWorker,
)
from drivers.doccam import DocumentCamera
from drivers.idcard import IdReader
from drivers.printer import DocumentPrinter, ReceiptPrinter
from drivers.scanner import CodeScanner

from .config import DeviceConfig, DevicesConfig
from .device_roles import REGISTRIES as REGISTRIES  # re-exported: the role → registry map
from .events import DEVICE_STATUS_CHANGED, EventHub
from .safe_log import log_exception

log = logging.getLogger(__name__)

D = TypeVar("D", bound=Device)
P = ParamSpec("P")
R = TypeVar("R")


class DeviceConfigError(ValueError):
    """A device section names an unknown backend or gives it options it does not take."""


@dataclass
class ManagedDevice(Generic[D]):
    """A driver, its owner thread and the last status seen. Calls go through :meth:`submit`.

    ``ManagedDevice[IdReader]`` and friends: the driver is typed by its family's interface, and
    optional abilities are checked with the family's capability protocols (``isinstance(driver,
    AccessKeyReader)``), never by probing attribute names.
    """

    role: str
    driver: D
    worker: DeviceWorker
    status: DeviceStatus

    def submit(self, fn: Callable[Concatenate[D, P], R], *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        """Run ``fn(driver, *args, **kwargs)`` on the device's owner thread (callable from any thread)."""
        return self.worker.submit(fn, self.driver, *args, **kwargs)


def default_options(role: str, data_dir: Path) -> dict[str, Any]:
    """Options a backend of ``role`` gets unless the configuration sets them: where simulated
    printers put what they print. Offered only to backends that take them (see create_driver)."""
    output = data_dir / "printed"
    return {
        "receipt_printer": {"output_dir": str(output / "receipts")},
        "document_printer": {"output_dir": str(output / "documents")},
    }.get(role, {})


def create_driver(role: str, device: DeviceConfig, data_dir: Path | None = None) -> Device:
    """Build the configured backend for ``role``; bad names or options raise :class:`DeviceConfigError`.

    With ``data_dir``, the backend also gets those :func:`default_options` its constructor takes
    (a network printer has no output folder, a simulated one needs it).
    """
    registry = REGISTRIES[role]
    try:
        accepted = inspect.signature(registry.backend_class(device.backend)).parameters
    except ValueError as exc:
        raise DeviceConfigError(f"devices.{role}: {exc}") from exc
    defaults = default_options(role, data_dir) if data_dir is not None else {}
    options = {**{k: v for k, v in defaults.items() if k in accepted}, **device.options}
    try:
        driver: Device = registry.create(device.backend, **options)
        return driver
    except (ValueError, TypeError) as exc:
        raise DeviceConfigError(f"devices.{role}: {exc}") from exc


class DeviceManager:
    """Owns every device of the terminal: opening, status, and orderly shutdown.

    Construct on any thread; :meth:`open_all` and :meth:`close_all` may be called from any
    non-GUI or GUI thread since they only post work to owner threads (``close_all`` waits).
    """

    def __init__(self, config: DevicesConfig, events: EventHub, data_dir: Path) -> None:
        self._events = events
        self.id_reader: ManagedDevice[IdReader] = self._managed("id_reader", config.id_reader, data_dir)
        self.camera: ManagedDevice[Camera] = self._managed("camera", config.camera, data_dir)
        self.receipt_printer: ManagedDevice[ReceiptPrinter] = self._managed(
            "receipt_printer", config.receipt_printer, data_dir)
        self.document_printer: ManagedDevice[DocumentPrinter] = self._managed(
            "document_printer", config.document_printer, data_dir)
        self.code_scanner: ManagedDevice[CodeScanner] = self._managed("code_scanner", config.code_scanner, data_dir)
        self.document_camera: ManagedDevice[DocumentCamera] = self._managed(
            "document_camera", config.document_camera, data_dir)
        #: Every device by role, in :data:`REGISTRIES` order.
        self.devices: dict[str, ManagedDevice[Any]] = {
            "id_reader": self.id_reader,
            "camera": self.camera,
            "receipt_printer": self.receipt_printer,
            "document_printer": self.document_printer,
            "code_scanner": self.code_scanner,
            "document_camera": self.document_camera,
        }

    @staticmethod
    def _managed(role: str, device: DeviceConfig, data_dir: Path) -> ManagedDevice[Any]:
        driver = create_driver(role, device, data_dir)
        return ManagedDevice(role, driver, DeviceWorker(role), DeviceStatus(DeviceState.STARTING))

    @overload
    def __getitem__(self, role: Literal["id_reader"]) -> ManagedDevice[IdReader]: ...
    @overload
    def __getitem__(self, role: Literal["camera"]) -> ManagedDevice[Camera]: ...
    @overload
    def __getitem__(self, role: Literal["receipt_printer"]) -> ManagedDevice[ReceiptPrinter]: ...
    @overload
    def __getitem__(self, role: Literal["document_printer"]) -> ManagedDevice[DocumentPrinter]: ...
    @overload
    def __getitem__(self, role: Literal["code_scanner"]) -> ManagedDevice[CodeScanner]: ...
    @overload
    def __getitem__(self, role: Literal["document_camera"]) -> ManagedDevice[DocumentCamera]: ...
    @overload
    def __getitem__(self, role: str) -> ManagedDevice[Any]: ...
    def __getitem__(self, role: str) -> ManagedDevice[Any]:
        """The device of ``role``, typed by its family when ``role`` is a literal (any thread)."""
        return self.devices[role]

    def open_all(self) -> None:
        """Open every device on its own thread; failures become a status, never an exception."""
        for device in self.devices.values():
            device.submit(self._open_one, device)

    def _open_one(self, driver: Device, device: ManagedDevice[Any]) -> None:
        try:
            driver.open()
        except DeviceError as exc:
            log.warning("%s failed to open: %s", device.role, exc)
        self.refresh(device)

    def refresh(self, device: ManagedDevice[Any]) -> DeviceStatus:
        """Re-read one device's status (call on its owner thread) and publish a change."""
        try:
            status: DeviceStatus = device.driver.status()
        except DeviceError as exc:
            status = DeviceStatus(DeviceState.HARDWARE_ERROR, exc.action, str(exc))
        if status != device.status:
            device.status = status
            self._events.publish(DEVICE_STATUS_CHANGED, role=device.role, status=status)
        return status

    def statuses(self) -> dict[str, DeviceStatus]:
        """The last status of every device (any thread)."""
        return {role: device.status for role, device in self.devices.items()}

    def close_all(self) -> None:
        """Close every device on its thread, then stop and join the threads."""
        for device in self.devices.values():
            future = device.submit(lambda driver: driver.close())
            try:
                future.result(timeout=5)
            except Exception:
                log_exception(log, "%s did not close cleanly", device.role)
            device.worker.stop(wait=True)
