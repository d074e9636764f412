"""A private speech-dispatcher for the voice tests: its own configuration and socket, audio to
libao's null driver, so the real speech engine runs on a machine without sound."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class SpeechDispatcher:
    """A private speech-dispatcher: own configuration and socket, audio to libao's null driver."""

    process: Any
    address: str
    directory: Path


def start_speech_dispatcher(directory: Path) -> SpeechDispatcher:
    """Start speech-dispatcher with espeak-ng on a socket in ``directory``; audio goes nowhere.

    A machine without sound (CI, the test machines) has no PulseAudio for the default output,
    and speech-dispatcher then never answers a prompt. libao's built-in ``null`` driver plays
    into nothing at once, so the engine runs exactly as with a loudspeaker.
    """
    import shutil
    import subprocess

    binary = shutil.which("speech-dispatcher")
    if binary is None:
        pytest.fail("speech-dispatcher is not installed: run tools/setup-system.sh as root")
    prefix = Path(binary).resolve().parents[1]          # /usr
    modules = prefix / "lib" / "speech-dispatcher-modules"
    config = directory / "conf"
    (config / "modules").mkdir(parents=True, exist_ok=True)
    (directory / "log").mkdir(exist_ok=True)
    (directory / "home").mkdir(exist_ok=True)
    (directory / "home" / ".libao").write_text("default_driver=null\n")
    (config / "modules" / "espeak-ng.conf").write_text("Debug 0\n")
    (config / "speechd.conf").write_text(
        f'LogDir "{directory / "log"}"\nLogLevel 3\nAudioOutputMethod "libao"\n'
        'AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"\nDefaultModule espeak-ng\nTimeout 0\n')
    socket = directory / "speechd.sock"
    env = dict(os.environ, HOME=str(directory / "home"))
    process = subprocess.Popen(
        [binary, "--run-single", "--config-dir", str(config), "--module-dir", str(modules),
         "--communication-method", "unix_socket", "--socket-path", str(socket), "--timeout", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not socket.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = "\n".join(p.read_text(errors="replace")[-2000:] for p in (directory / "log").glob("*.log"))
            pytest.fail(f"speech-dispatcher did not start:\n{log}")
        time.sleep(0.05)
    return SpeechDispatcher(process, f"unix_socket:{socket}", directory)


def stop_speech_dispatcher(server: SpeechDispatcher) -> None:
    import signal

    if server.process.poll() is None:
        server.process.send_signal(signal.SIGCONT)
        server.process.terminate()
        try:
            server.process.wait(10)
        except Exception:
            server.process.kill()
            server.process.wait()
