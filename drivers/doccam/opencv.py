"""A UVC document camera through OpenCV: the face camera's capture, in the document camera role."""

from __future__ import annotations

from dataclasses import replace

from ..camera.opencv import OpenCvCamera
from ..common import DeviceInfo
from .base import DocumentCamera, document_camera_backends


@document_camera_backends.register("opencv")
class OpenCvDocumentCamera(OpenCvCamera, DocumentCamera):
    """:class:`~drivers.camera.opencv.OpenCvCamera` (same options, same replug recovery) asking
    for 5 MP by default, as document cameras deliver. Everything runs on the owner thread."""

    family = "document_camera"

    def __init__(self, device: str | int = 0, width: int = 2592, height: int = 1944, fourcc: str = "MJPG",
                 reopen_interval_s: float = 2.0) -> None:
        super().__init__(device=device, width=width, height=height, fourcc=fourcc,
                         reopen_interval_s=reopen_interval_s)

    def info(self) -> DeviceInfo:
        """As the face camera's, in the document camera family (owner thread)."""
        return replace(super().info(), family="document_camera")
