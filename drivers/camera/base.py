"""The camera interface and its backend registry."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING

from ..common import BackendRegistry, Device

if TYPE_CHECKING:  # the frame module imports OpenCV; the interface must stay cheap to import
    from .frame import Frame


class Camera(Device):
    """A face camera delivering RGB frames.

    The owner thread pulls frames with :meth:`read_frame` in a loop and hands each one on
    latest-only (the preview drops frames, never queues them).
    """

    family = "camera"

    @abstractmethod
    def read_frame(self, timeout_s: float = 1.0) -> Frame:
        """Block until the next frame (owner thread).

        Raises :class:`~drivers.common.DeviceTimeout` when no frame came within ``timeout_s``,
        :class:`~drivers.common.DeviceNotOpen` before :meth:`open`.
        """


#: Backends for ``devices.camera.backend``.
camera_backends: BackendRegistry[Camera] = BackendRegistry("camera")
