"""The single owner thread of one device."""

from __future__ import annotations

from .owner_thread import OwnerThread


class DeviceWorker(OwnerThread):
    """Runs every call into one driver on one dedicated thread, ``device-<name>``.

    Hardware libraries (pyscard, pyserial, libusb) are not safe to drive from several threads, and
    the GUI thread must never block on a device, so each device gets exactly one worker. Methods
    may be called from any thread; the thread starts on the first :meth:`submit`. Everything else
    (post, post later, call, stop) is :class:`~drivers.common.owner_thread.OwnerThread`'s.
    """

    def __init__(self, name: str) -> None:
        super().__init__(f"device-{name}")
        #: The device's role or name, without the thread's ``device-`` prefix.
        self.device = name

    def __repr__(self) -> str:
        return f"DeviceWorker({self.device!r})"
