"""The simulated camera: plays image files, or a bundled portrait scene with slight motion."""

from __future__ import annotations

import math
import time
from pathlib import Path

import cv2
import numpy as np

from ..common import (
    DeviceInfo,
    DeviceNotFound,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    ErrorAction,
    FaultScript,
)
from ..common.samples import sample_image_path
from .base import Camera, camera_backends
from .frame import Frame

#: Fault kinds for :meth:`SimulatedCamera.script_fault`.
FAULT_KINDS = ("no_frames", "frozen", "dark")

_MARGIN = 12  # the default scene sways within this many pixels
_NOISE_BANK = 4  # pre-drawn sensor-noise layers, cycled, so a frame costs one add
_PORTRAIT_CROP = (20, 0, 440, 420)  # x0, y0, x1, y1 in the 512×512 astronaut portrait


@camera_backends.register("simulated")
class SimulatedCamera(Camera):
    """A camera that shows still images, or with none configured the default portrait scene.

    ``images`` are played in order, one per frame, looping, each letterboxed into
    ``width``×``height``. With an empty list the camera shows scikit-image's astronaut portrait
    (public domain) on a studio-grey background, swaying a few pixels with faint sensor noise so
    the preview looks alive. Frames are paced at ``fps``. Everything runs on the owner thread
    except :meth:`script_fault`.
    """

    def __init__(
        self, images: list[str] | None = None, fps: float = 15, width: int = 640, height: int = 480
    ) -> None:
        if fps <= 0:
            raise ValueError("fps must be positive")
        if width < 2 * _MARGIN or height < 2 * _MARGIN:
            raise ValueError(f"frame size {width}×{height} is too small")
        self._images = [str(path) for path in images or []]
        self._fps = float(fps)
        self._width = int(width)
        self._height = int(height)
        self._faults = FaultScript(FAULT_KINDS)
        self._scenes: list[np.ndarray] = []
        self._noise: list[np.ndarray] = []
        self._index = 0
        self._next_due = 0.0
        self._last: np.ndarray | None = None
        self._is_open = False

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Affect the next ``count`` frames (any thread).

        Kinds: "no_frames" (:meth:`read_frame` waits out its timeout and raises
        :class:`DeviceTimeout`), "frozen" (the previous picture again), "dark" (a nearly black
        picture, like a covered lens).
        """
        self._faults.add(kind, count)

    def clear_faults(self) -> None:
        """Drop every scripted fault (any thread)."""
        self._faults.clear()

    def open(self) -> None:
        """Load the images or compose the default scene (owner thread).

        Raises :class:`DeviceNotFound` for a missing/unreadable image, or when no images are
        configured and scikit-image is not installed.
        """
        if self._is_open:
            return
        if self._images:
            self._scenes = [self._load(path) for path in self._images]
            self._noise = []
        else:
            self._scenes = [self._compose_default_scene()]
            rng = np.random.default_rng(7)
            shape = (self._height, self._width, 3)
            self._noise = [rng.integers(-3, 4, size=shape, dtype=np.int16) for _ in range(_NOISE_BANK)]
        self._index = 0
        self._last = None
        self._next_due = time.monotonic()
        self._is_open = True

    def close(self) -> None:
        """Release the images (owner thread)."""
        self._is_open = False
        self._scenes = []
        self._noise = []
        self._last = None

    def status(self) -> DeviceStatus:
        """ONLINE when open, OFFLINE otherwise (owner thread)."""
        if self._is_open:
            return DeviceStatus(DeviceState.ONLINE)
        return DeviceStatus(DeviceState.OFFLINE, ErrorAction.NONE, "not open")

    def info(self) -> DeviceInfo:
        """Describes the simulator (owner thread)."""
        return DeviceInfo("camera", "simulated", "Simulated camera", "SIM-CAM-0001", "1.0")

    def is_usable(self) -> bool:
        """True when every configured image exists, or the default scene is available (any thread)."""
        try:
            if self._images:
                return all(Path(path).is_file() for path in self._images)
            return sample_image_path("astronaut.png") is not None
        except OSError:
            return False

    def read_frame(self, timeout_s: float = 1.0) -> Frame:
        """The next frame, paced at ``fps`` (owner thread)."""
        if not self._is_open:
            raise DeviceNotOpen("the camera is not open")
        fault = self._faults.take()
        if fault == "no_frames":
            time.sleep(max(timeout_s, 0))
            raise DeviceTimeout("the camera delivered no frame in time (scripted)")
        wait = self._next_due - time.monotonic()
        if wait > timeout_s:
            time.sleep(max(timeout_s, 0))
            raise DeviceTimeout("the camera delivered no frame in time")
        if wait > 0:
            time.sleep(wait)
        now = time.monotonic()
        self._next_due = max(self._next_due + 1 / self._fps, now)
        if fault == "frozen" and self._last is not None:
            pixels = self._last.copy()
        else:
            pixels = self._render(self._index)
        if fault == "dark":
            pixels = (pixels // 20).astype(np.uint8)
        else:
            self._last = pixels
        frame = Frame(np.ascontiguousarray(pixels), now, self._index)
        self._index += 1
        return frame

    def _render(self, index: int) -> np.ndarray:
        scene = self._scenes[index % len(self._scenes)]
        if not self._noise:
            return scene.copy()
        # Slow sway of a seated person: incommensurate periods so it never visibly repeats.
        t = index / self._fps
        dx = round((_MARGIN - 2) * math.sin(t * 0.9))
        dy = round((_MARGIN - 4) * math.sin(t * 1.3 + 0.5))
        top, left = _MARGIN + dy, _MARGIN + dx
        view = scene[top : top + self._height, left : left + self._width].astype(np.int16)
        view += self._noise[index % len(self._noise)]
        return np.clip(view, 0, 255).astype(np.uint8)

    def _load(self, path: str) -> np.ndarray:
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        if bgr is None:
            raise DeviceNotFound(f"camera image {path!r} is missing or not an image")
        return _letterbox(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), self._width, self._height)

    def _compose_default_scene(self) -> np.ndarray:
        path = sample_image_path("astronaut.png")
        if path is None:
            raise DeviceNotFound(
                "the default camera scene needs scikit-image (the 'sim' extra); "
                "install it or configure devices.camera.images"
            )
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise DeviceNotFound(f"the default camera scene {str(path)!r} could not be read")
        # Head-and-shoulders crop with the face near the centre, as a citizen stands at the kiosk.
        x0, y0, x1, y1 = _PORTRAIT_CROP
        portrait = cv2.cvtColor(np.ascontiguousarray(bgr[y0:y1, x0:x1]), cv2.COLOR_BGR2RGB)
        height, width = self._height + 2 * _MARGIN, self._width + 2 * _MARGIN
        # A studio-grey wall, lighter towards the top, like a photo booth background.
        shade = np.linspace(214, 178, height, dtype=np.float32)[:, None, None]
        canvas = np.broadcast_to(shade * np.array([1.0, 1.0, 1.04]), (height, width, 3))
        canvas = np.clip(canvas, 0, 255).astype(np.uint8).copy()
        side = self._height
        portrait = cv2.resize(portrait, (side, side), interpolation=cv2.INTER_AREA)
        left = _MARGIN + (self._width - side) // 2
        canvas[_MARGIN : _MARGIN + side, max(left, 0) : max(left, 0) + side] = portrait[
            :, : min(side, width - max(left, 0))
        ]
        return canvas


def _letterbox(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale ``rgb`` to fit ``width``×``height`` keeping its aspect, centred on black."""
    scale = min(width / rgb.shape[1], height / rgb.shape[0])
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    scaled = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    out = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - size[1]) // 2, (width - size[0]) // 2
    out[top : top + size[1], left : left + size[0]] = scaled
    return out
