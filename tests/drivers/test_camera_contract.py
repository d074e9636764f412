"""Contract tests for camera backends, the simulator's faults, and JPEG encoding."""

from __future__ import annotations

import io
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import drivers.camera.simulated as simulated_module
from drivers.camera import (
    Camera,
    Frame,
    OpenCvCamera,
    SimulatedCamera,
    camera_backends,
    encode_jpeg,
)
from drivers.common import DeviceNotFound, DeviceNotOpen, DeviceState, DeviceTimeout


@pytest.fixture
def still_image(tmp_path):
    path = tmp_path / "person.png"
    pixels = np.zeros((300, 200, 3), dtype=np.uint8)
    pixels[..., 0] = 200  # red: proves the RGB channel order
    Image.fromarray(pixels).save(path)
    return str(path)


@pytest.fixture(params=["default_scene", "image_files"])
def camera(request, still_image):
    if request.param == "default_scene":
        camera = camera_backends.create("simulated", fps=1000)
    else:
        camera = camera_backends.create("simulated", images=[still_image], fps=1000)
    yield camera
    camera.close()


def test_is_a_camera_and_constructor_does_no_io(camera):
    assert isinstance(camera, Camera)
    assert camera.status().state is DeviceState.OFFLINE
    assert camera.is_usable() is True
    with pytest.raises(DeviceNotOpen):
        camera.read_frame(0.01)


def test_frames_are_rgb_640x480_and_numbered(camera):
    camera.open()
    camera.open()
    assert camera.status().state is DeviceState.ONLINE and camera.info().family == "camera"
    frames = [camera.read_frame(1.0) for _ in range(5)]
    for number, frame in enumerate(frames):
        assert isinstance(frame, Frame)
        assert frame.pixels.shape == (480, 640, 3) and frame.pixels.dtype == np.uint8
        assert frame.pixels.flags.c_contiguous
        assert frame.index == number and (frame.width, frame.height) == (640, 480)
    assert all(a.timestamp <= b.timestamp for a, b in itertools.pairwise(frames))
    # Receivers own their arrays: no two frames share memory.
    assert not np.shares_memory(frames[0].pixels, frames[1].pixels)
    camera.close()
    camera.close()
    assert camera.status().state is DeviceState.OFFLINE


def test_image_files_keep_rgb_order(still_image):
    camera = SimulatedCamera(images=[still_image], fps=1000)
    camera.open()
    centre = camera.read_frame().pixels[240, 320]
    assert centre[0] > 150 and centre[1] < 50 and centre[2] < 50


def test_default_scene_is_alive():
    camera = SimulatedCamera(fps=1000)
    camera.open()
    frames = [camera.read_frame() for _ in range(3)]
    assert not np.array_equal(frames[0].pixels, frames[1].pixels)
    assert 60 < frames[0].pixels.mean() < 220


def test_faults():
    camera = SimulatedCamera(fps=1000)
    camera.open()
    first = camera.read_frame()
    camera.script_fault("frozen")
    assert np.array_equal(camera.read_frame().pixels, first.pixels)
    camera.script_fault("dark")
    assert camera.read_frame().pixels.mean() < 15
    camera.script_fault("no_frames")
    with pytest.raises(DeviceTimeout):
        camera.read_frame(0.001)
    assert camera.read_frame().index == 3
    with pytest.raises(ValueError, match="known faults"):
        camera.script_fault("smoke")


def test_missing_image_is_device_not_found(tmp_path):
    camera = SimulatedCamera(images=[str(tmp_path / "nope.png")])
    assert camera.is_usable() is False
    with pytest.raises(DeviceNotFound, match=r"nope\.png"):
        camera.open()


def test_without_scikit_image_the_default_scene_says_what_to_configure(monkeypatch):
    monkeypatch.setattr(simulated_module, "sample_image_path", lambda name: None)
    camera = SimulatedCamera()
    assert camera.is_usable() is False
    with pytest.raises(DeviceNotFound, match=r"devices\.camera\.images"):
        camera.open()


def test_bad_options_are_clear_errors():
    with pytest.raises(ValueError):
        SimulatedCamera(fps=0)
    with pytest.raises(ValueError, match="accepted options"):
        camera_backends.create("simulated", resolution="hd")


@pytest.mark.parametrize("device", ["/dev/video-egov-missing", 63, "63"])
def test_opencv_camera_missing_device_is_not_found(device):
    camera = camera_backends.create("opencv", device=device)
    assert isinstance(camera, OpenCvCamera)
    assert camera.is_usable() is False
    assert camera.status().state is DeviceState.OFFLINE
    with pytest.raises(DeviceNotFound):
        camera.open()
    with pytest.raises(DeviceNotOpen):
        camera.read_frame(0.01)
    camera.close()


def test_encode_jpeg_round_trip():
    pixels = np.zeros((48, 64, 3), dtype=np.uint8)
    pixels[..., 2] = 220
    data = encode_jpeg(Frame(pixels, 0.0, 0), quality=80)
    assert data[:3] == b"\xff\xd8\xff" and b"Exif" not in data[:64]
    decoded = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert decoded.shape == (48, 64, 3) and decoded[..., 2].mean() > 200 and decoded[..., 0].mean() < 30
    assert encode_jpeg(pixels)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((10, 10), dtype=np.uint8),
        np.zeros((10, 10, 4), dtype=np.uint8),
        np.zeros((10, 10, 3), dtype=np.float32),
        np.zeros((0, 10, 3), dtype=np.uint8),
        np.zeros((10, 10, 3), dtype=np.uint8)[:, ::2],
        [[0, 0, 0]],
    ],
)
def test_encode_jpeg_rejects_bad_arrays(pixels):
    with pytest.raises(ValueError):
        encode_jpeg(pixels)


def test_encode_jpeg_rejects_bad_quality():
    with pytest.raises(ValueError, match="quality"):
        encode_jpeg(np.zeros((4, 4, 3), dtype=np.uint8), quality=0)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 255))
def test_encode_jpeg_any_size(height, width, value):
    pixels = np.full((height, width, 3), value, dtype=np.uint8)
    decoded = Image.open(io.BytesIO(encode_jpeg(pixels)))
    assert decoded.size == (width, height)
