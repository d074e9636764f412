"""Capture: the simulator's image sequences, video files and faults; the OpenCV backend's
resolution negotiation and recovery when its device disappears and comes back.

The OpenCV backend is driven through a real ``cv2.VideoCapture`` on a video file written at test
time — the same code path as a V4L2 device, minus the hardware.
"""

from __future__ import annotations

import shutil

import cv2
import numpy as np
import pytest

from drivers.camera import OpenCvCamera, SimulatedCamera, camera_backends
from drivers.common import DeviceIOError, DeviceNotFound, DeviceNotOpen, DeviceState
from tests.drivers.far_ends import write_video


def test_simulator_plays_a_video_file_in_a_loop(tmp_path):
    camera = camera_backends.create("simulated", video=write_video(tmp_path / "clip.avi"), fps=1000)
    assert camera.is_usable()
    camera.open()
    reds = [int(camera.read_frame().pixels[240, 320, 0]) for _ in range(8)]
    assert reds[0] < 15 and reds[5] > 180  # RGB order, increasing
    assert reds[6] < 15  # looped back to the start
    assert camera.read_frame().pixels.shape == (480, 640, 3)
    camera.close()


def test_missing_or_undecodable_video_is_not_found(tmp_path):
    with pytest.raises(DeviceNotFound, match="missing"):
        SimulatedCamera(video=str(tmp_path / "none.avi")).open()
    bogus = tmp_path / "bogus.avi"
    bogus.write_bytes(b"not a video at all")
    with pytest.raises(DeviceNotFound):
        SimulatedCamera(video=str(bogus)).open()


def test_simulator_plays_an_image_sequence(tmp_path):
    paths = []
    for i, colour in enumerate([(255, 0, 0), (0, 255, 0)]):
        path = tmp_path / f"{i}.png"
        cv2.imwrite(str(path), np.full((100, 100, 3), colour[::-1], dtype=np.uint8))
        paths.append(str(path))
    camera = SimulatedCamera(images=paths, fps=1000)
    camera.open()
    centres = [tuple(camera.read_frame().pixels[240, 320]) for _ in range(3)]
    assert centres[0][0] > 200 and centres[1][1] > 200 and centres[2] == centres[0]


def test_unplugged_fault_and_recovery():
    camera = SimulatedCamera(fps=1000)
    camera.open()
    camera.read_frame()
    camera.script_fault("unplugged", 2)
    for _ in range(2):
        with pytest.raises(DeviceIOError, match="disconnected"):
            camera.read_frame()
        assert camera.status().state is DeviceState.HARDWARE_ERROR
    assert camera.read_frame().index == 1
    assert camera.status().state is DeviceState.ONLINE


def test_the_default_scene_steps_up_to_the_camera():
    camera = SimulatedCamera(fps=1000, approach_s=0.3)
    camera.open()
    first = camera.read_frame().pixels
    for _ in range(300):  # the approach is counted in frames: 0.3 s at 1000 fps
        settled = camera.read_frame().pixels
    # Arriving: the portrait is smaller and off to one side, the wall shows at the edges.
    assert np.abs(first.astype(int) - settled.astype(int)).mean() > 20
    assert SimulatedCamera(approach_s=0).is_usable()
    with pytest.raises(ValueError):
        SimulatedCamera(approach_s=-1)


def test_opencv_negotiates_resolution_and_recovers_after_unplug(tmp_path):
    video = write_video(tmp_path / "cam.avi", frames=3)
    camera = OpenCvCamera(device=video, width=640, height=480, reopen_interval_s=0)
    with pytest.raises(DeviceNotOpen):
        camera.read_frame()
    camera.open()
    # A file cannot change its size: the negotiated size is what the source delivers.
    assert camera.negotiated == (320, 240)
    frames = [camera.read_frame() for _ in range(3)]
    assert [f.index for f in frames] == [0, 1, 2] and frames[0].pixels.shape == (240, 320, 3)
    # The source ends (a pulled cable): the read fails and the device is released…
    with pytest.raises(DeviceIOError):
        camera.read_frame()
    assert camera.status().state is DeviceState.HARDWARE_ERROR
    # …while it is gone, reads keep failing clearly…
    hidden = tmp_path / "away.avi"
    shutil.move(video, hidden)
    with pytest.raises(DeviceIOError, match="disconnected"):
        camera.read_frame()
    # …and once it is back, the next read reopens it.
    shutil.move(hidden, video)
    frame = camera.read_frame()
    assert frame.index == 3 and camera.status().state is DeviceState.ONLINE
    camera.close()
    assert camera.status().state is DeviceState.OFFLINE
    with pytest.raises(DeviceNotOpen):
        camera.read_frame()


def test_opencv_reopen_is_rate_limited(tmp_path):
    video = write_video(tmp_path / "cam.avi", frames=1)
    camera = OpenCvCamera(device=video, reopen_interval_s=60)
    camera.open()
    camera.read_frame()
    with pytest.raises(DeviceIOError):
        camera.read_frame()
    with pytest.raises(DeviceIOError, match="disconnected"):
        camera.read_frame()  # too soon to try again


def test_opencv_options_are_checked():
    with pytest.raises(ValueError, match="fourcc"):
        OpenCvCamera(fourcc="MJPEG")
    with pytest.raises(ValueError):
        OpenCvCamera(reopen_interval_s=-1)
    assert isinstance(camera_backends.create("opencv", device=0, fourcc="MJPG"), OpenCvCamera)
