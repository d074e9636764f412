"""The document camera (高拍仪) interface and its backend registry.

A document camera is a second camera role: it looks down at the desk where the citizen lays
paper materials. It delivers the same :class:`~drivers.camera.frame.Frame` as the face camera;
page detection, guidance, rectification and compression are :mod:`drivers.doccam.page` and
:mod:`drivers.doccam.encode`.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..camera.base import Camera
from ..common import BackendRegistry


class DocumentCamera(Camera):
    """A camera over the desk delivering RGB frames of paper pages (owner thread, like :class:`Camera`)."""

    family = "document_camera"


@runtime_checkable
class PresentsPages(Protocol):
    """Capability of the simulated document camera: lay the next sheet on the desk (demo, tests)."""

    variants: tuple[str, ...]

    def present_page(self, variant: str = "clean") -> None:
        """Take the page away and slide the next one in, looking like ``variant`` (any thread)."""


#: Backends for ``devices.document_camera.backend``.
document_camera_backends: BackendRegistry[DocumentCamera] = BackendRegistry("document_camera")
