"""The one exception tree of every driver.

::

    DeviceError (.action: ErrorAction)
    ├── DeviceNotFound      the configured device is not there (action CONFIGURATION)
    ├── DeviceNotOpen       a call before open() or after close() (action SOFTWARE)
    ├── DeviceTimeout       the device did not answer in time (action RESET)
    ├── DeviceIOError       transport failure: USB, serial, network (action RESET)
    ├── DeviceBusy          the device is doing something else (action NONE)
    ├── ProtocolError       malformed bytes from a device (action RESET)
    └── DeviceUserError     the person at the device must act: no card, paper out (action CLEAR)
        └── NoDocumentPresent   no document arrived on the reader in time (action NONE)

Backends map their library's errors onto this tree with ``raise ... from exc``; callers never
classify errors by message text. Messages never contain personal data.
"""

from __future__ import annotations

from .status import ErrorAction


class DeviceError(Exception):
    """Base of all driver errors; ``action`` says who must act (see :class:`ErrorAction`)."""

    default_action: ErrorAction = ErrorAction.MAINTENANCE

    def __init__(self, message: str, action: ErrorAction | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.action: ErrorAction = action if action is not None else self.default_action

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, action={self.action.value!r})"


class DeviceNotFound(DeviceError):
    """The configured device (port, reader name, camera index) is not present."""

    default_action = ErrorAction.CONFIGURATION


class DeviceNotOpen(DeviceError):
    """The driver was used before :meth:`open` or after :meth:`close` — a software bug."""

    default_action = ErrorAction.SOFTWARE


class DeviceTimeout(DeviceError):
    """The device did not answer within the allowed time."""

    default_action = ErrorAction.RESET


class DeviceIOError(DeviceError):
    """The transport to the device failed (USB, serial, network, file)."""

    default_action = ErrorAction.RESET


class DeviceBusy(DeviceError):
    """The device is busy with another operation; try again later."""

    default_action = ErrorAction.NONE


class ProtocolError(DeviceError):
    """The device sent bytes that do not follow its protocol (bad frame, checksum, length)."""

    default_action = ErrorAction.RESET


class DeviceUserError(DeviceError):
    """The person at the device (citizen or staff) must act: place a card, refill paper."""

    default_action = ErrorAction.CLEAR


class NoDocumentPresent(DeviceUserError):
    """No identity document was on the reader within the timeout."""

    default_action = ErrorAction.NONE
