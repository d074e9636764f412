"""The simulated camera: plays image files or a video file, or a bundled portrait scene.

The default scene is a citizen stepping up to the terminal: for ``approach_s`` seconds after the
camera was last idle the portrait grows and slides into the middle of the picture (so the face
screen shows "come closer" and "move to the centre" before its automatic capture), then sways
slightly with faint sensor noise.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import cv2
import numpy as np

from ..common import DeviceInfo, DeviceIOError, DeviceNotFound, DeviceStatus
from ..common.samples import sample_image_path
from .base import Camera, camera_backends
from .frame import Frame
from .paced_frames import PacedFrames

#: Fault kinds for :meth:`SimulatedCamera.script_fault`.
FAULT_KINDS = ("no_frames", "frozen", "dark", "unplugged")

#: File endings played as video rather than as still images.
VIDEO_SUFFIXES = (".mp4", ".avi", ".mkv", ".mov", ".webm", ".mjpeg", ".mjpg")

_MARGIN = 12  # the default scene sways within this many pixels
_NOISE_BANK = 4  # pre-drawn sensor-noise layers, cycled, so a frame costs one add
_EYES = (222.0, 100.0)  # eye centre in the 512×512 astronaut portrait
_ZOOM = 1.5  # portrait pixels → scene pixels: an eye distance of ~72 px at 640×480
_EYE_LINE = 0.36  # eye centre height in the scene, as a fraction of the frame height
_IDLE_RESTART_S = 1.0  # a pause this long means the next citizen steps up


@camera_backends.register("simulated")
class SimulatedCamera(Camera):
    """A camera that shows still images, a video file, or with neither the default portrait scene.

    ``images`` are played in order, one per frame, looping; ``video`` (a file OpenCV can decode)
    is played frame by frame, looping. Both are letterboxed into ``width``×``height``. With
    neither, the camera shows scikit-image's astronaut portrait (public domain) stepping up to
    the camera over ``approach_s`` seconds, then swaying a few pixels with faint sensor noise.
    Frames are paced at ``fps``. Everything runs on the owner thread except :meth:`script_fault`.
    """

    def __init__(
        self,
        images: list[str] | None = None,
        fps: float = 15,
        width: int = 640,
        height: int = 480,
        video: str = "",
        approach_s: float = 2.0,
    ) -> None:
        if width < 2 * _MARGIN or height < 2 * _MARGIN:
            raise ValueError(f"frame size {width}×{height} is too small")
        if approach_s < 0:
            raise ValueError("approach_s must not be negative")
        self._images = [str(path) for path in images or []]
        self._video = str(video or "")
        self._width = int(width)
        self._height = int(height)
        self._approach_s = float(approach_s)
        self._paced = PacedFrames("camera", fps, FAULT_KINDS)
        self._scenes: list[np.ndarray] = []
        self._noise: list[np.ndarray] = []
        self._capture: cv2.VideoCapture | None = None
        self._last_read = 0.0
        self._arrived = 0  # frame index at which the current citizen stepped up
        self._last: np.ndarray | None = None

    @property
    def fault_kinds(self) -> tuple[str, ...]:
        """What :meth:`script_fault` accepts (any thread)."""
        return self._paced.faults.kinds

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Affect the next ``count`` frames (any thread).

        Kinds: "no_frames" (:meth:`read_frame` waits out its timeout and raises
        :class:`DeviceTimeout`), "frozen" (the previous picture again), "dark" (a nearly black
        picture, like a covered lens), "unplugged" (:class:`DeviceIOError`, as when the USB
        cable is pulled; the camera works again after ``count`` attempts).
        """
        self._paced.add_fault(kind, count)

    def clear_faults(self) -> None:
        """Drop every scripted fault (any thread)."""
        self._paced.clear_faults()

    def open(self) -> None:
        """Load the images or video, or compose the default scene (owner thread).

        Raises :class:`DeviceNotFound` for a missing/unreadable image or video, or when nothing
        is configured and scikit-image is not installed.
        """
        if self._paced.is_open:
            return
        self._noise = []
        if self._video:
            self._capture = self._open_video()
            self._scenes = []
        elif self._images:
            self._scenes = [self._load(path) for path in self._images]
        else:
            self._scenes = [self._compose_default_scene()]
            rng = np.random.default_rng(7)
            shape = (self._height, self._width, 3)
            self._noise = [rng.integers(-3, 4, size=shape, dtype=np.int16) for _ in range(_NOISE_BANK)]
        self._last = None
        self._arrived = 0
        self._paced.opened()
        self._last_read = self._paced.next_due

    def close(self) -> None:
        """Release the images or video (owner thread)."""
        self._paced.closed()
        self._scenes = []
        self._noise = []
        self._last = None
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def status(self) -> DeviceStatus:
        """ONLINE when open, HARDWARE_ERROR while "unplugged", OFFLINE when closed (owner thread)."""
        return self._paced.status()

    def info(self) -> DeviceInfo:
        """Describes the simulator (owner thread)."""
        return DeviceInfo("camera", "simulated", "Simulated camera", "SIM-CAM-0001", "1.0")

    def is_usable(self) -> bool:
        """True when every configured file exists, or the default scene is available (any thread)."""
        try:
            if self._video:
                return Path(self._video).is_file()
            if self._images:
                return all(Path(path).is_file() for path in self._images)
            return sample_image_path("astronaut.png") is not None
        except OSError:
            return False

    def read_frame(self, timeout_s: float = 1.0) -> Frame:
        """The next frame, paced at ``fps`` (owner thread)."""
        paced = self._paced
        fault = paced.next_fault(timeout_s)
        if time.monotonic() - self._last_read > _IDLE_RESTART_S:
            self._arrived = paced.index  # nobody looked for a while: the next citizen steps up
            paced.next_due = time.monotonic()
        at = self._last_read = paced.wait_until_due(timeout_s)
        if fault == "frozen" and self._last is not None:
            pixels = self._last.copy()
        else:
            # The approach is counted in frames, not wall time: a reader slowed down by a busy
            # machine sees the same steps of it, not a citizen who has suddenly arrived.
            pixels = self._render(paced.index, (paced.index - self._arrived) / paced.fps)
        if fault != "dark":
            self._last = pixels
        return paced.frame(pixels, at, fault)

    def _render(self, index: int, since_arrival: float) -> np.ndarray:
        if self._capture is not None:
            return self._next_video_frame()
        scene = self._scenes[index % len(self._scenes)]
        if not self._noise:
            return scene.copy()
        # Slow sway of a seated person: incommensurate periods so it never visibly repeats.
        t = index / self._paced.fps
        dx = (_MARGIN - 2) * math.sin(t * 0.9)
        dy = (_MARGIN - 4) * math.sin(t * 1.3 + 0.5)
        progress = 1.0 if self._approach_s == 0 else min(1.0, since_arrival / self._approach_s)
        if progress < 1.0:
            # Stepping up: from small and off to one side to full size in the middle (ease-out).
            ease = 1 - (1 - progress) ** 2
            scale = 0.55 + 0.45 * ease
            shift_x = 0.25 * self._width * (1 - ease)
            centre = (self._width / 2 + _MARGIN, self._height * _EYE_LINE + _MARGIN)
            matrix = np.array(
                [[scale, 0.0, (1 - scale) * centre[0] + shift_x - _MARGIN - dx],
                 [0.0, scale, (1 - scale) * centre[1] - _MARGIN - dy]]
            )
            view = cv2.warpAffine(scene, matrix, (self._width, self._height), borderMode=cv2.BORDER_CONSTANT,
                                  borderValue=(196, 196, 200))
            view = view.astype(np.int16)
        else:
            top, left = _MARGIN + round(dy), _MARGIN + round(dx)
            view = scene[top : top + self._height, left : left + self._width].astype(np.int16)
        view += self._noise[index % len(self._noise)]
        return np.clip(view, 0, 255).astype(np.uint8)

    def _open_video(self) -> cv2.VideoCapture:
        if not Path(self._video).is_file():
            raise DeviceNotFound(f"camera video {self._video!r} is missing")
        capture = cv2.VideoCapture(self._video)
        if not capture.isOpened():
            capture.release()
            raise DeviceNotFound(f"camera video {self._video!r} could not be decoded")
        return capture

    def _next_video_frame(self) -> np.ndarray:
        assert self._capture is not None
        ok, bgr = self._capture.read()
        if not ok:  # end of the file: loop
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, bgr = self._capture.read()
            if not ok:
                raise DeviceIOError(f"camera video {self._video!r} has no decodable frames")
        return _letterbox(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), self._width, self._height)

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
        portrait = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        # Head and shoulders, eyes centred a little above the middle, as a citizen stands at
        # the kiosk; the few rows above the photo's top edge mirror the studio wall.
        width, height = self._width + 2 * _MARGIN, self._height + 2 * _MARGIN
        zoom = _ZOOM * self._height / 480
        matrix = np.array(
            [[zoom, 0.0, width / 2 - zoom * _EYES[0]],
             [0.0, zoom, self._height * _EYE_LINE + _MARGIN - zoom * _EYES[1]]]
        )
        return cv2.warpAffine(portrait, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT)


def _letterbox(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Scale ``rgb`` to fit ``width``×``height`` keeping its aspect, centred on black."""
    scale = min(width / rgb.shape[1], height / rgb.shape[0])
    size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
    scaled = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    out = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - size[1]) // 2, (width - size[0]) // 2
    out[top : top + size[1], left : left + size[0]] = scaled
    return out
