"""Spoken prompts without ever waiting for them: the engine runs in a process of its own.

Qt's speechd engine talks to speech-dispatcher synchronously and holds Python's GIL meanwhile:
making the engine lists every voice (about 1.5 s with espeak-ng's thirteen thousand), and each
say, stop or voice change waits for the server's answer — for ever when the server hangs, as it
does on a machine without an audio device. So Qt TextToSpeech runs in the speech engine process
(ui/speech_engine.py), started after the first frame, and this side only writes commands to it.
Every command is answered when it returns; one left unanswered for ``ui.voice_stuck_s`` means the
engine is stuck: the process is ended, the voice is off until the kiosk restarts, the log and
the maintenance screen say why, and the citizen's journey goes on. GUI thread only.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

from PySide6.QtCore import Property, QObject, QProcess, QTimer, Signal, Slot

log = logging.getLogger(__name__)

#: A command the engine has not answered after this long means it is stuck (ui.voice_stuck_s).
STUCK_AFTER_S = 5.0
#: Making the engine lists all its voices: it gets longer than a command.
START_TIMEOUT_S = 30.0

# Status values (SpeechOutput.status), also shown on the maintenance screen.
OFF, STARTING, READY, UNAVAILABLE, STUCK = "off", "starting", "ready", "unavailable", "stuck"


def engine_command(engine_name: str) -> tuple[str, list[str]]:
    """The program and arguments that start the speech engine process."""
    if getattr(sys, "frozen", False):   # the bundle: the kiosk binary itself
        return sys.executable, ["--speech-engine", engine_name]
    return sys.executable, ["-m", "ui.app", "--speech-engine", engine_name]


class SpeechOutput(QObject):
    """The voice as QML sees it (context property ``speech``).

    ``status`` is "off" (ui.voice_engine "none", or closed), "starting", "ready", "unavailable"
    (no engine or no voices; ``problem`` says why) or "stuck". ``available`` is true when ready.
    """

    statusChanged = Signal()
    speakingChanged = Signal()
    startedSpeaking = Signal()

    def __init__(self, engine_name: str, stuck_after_s: float = STUCK_AFTER_S, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine_name = engine_name
        self._stuck_after_s = stuck_after_s
        self._status = OFF if engine_name == "none" else STARTING
        self._problem = ""
        self._last_error = ""
        self._engine = ""
        self._voices: dict[str, str] = {}
        self._speaking = False
        self._number = 0
        self._unanswered: dict[int, float] = {}   # command number -> deadline (monotonic)
        self._output = b""
        self._process: QProcess | None = None
        self._watchdog = QTimer(self)
        self._watchdog.setSingleShot(True)
        self._watchdog.timeout.connect(self._check_unanswered)

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Start the engine process; returns at once."""
        if self._status != STARTING or self._process is not None:
            return
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.ForwardedErrorChannel)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._process_failed)
        self._process = process
        program, arguments = engine_command(self._engine_name)
        self._unanswered[0] = time.monotonic() + START_TIMEOUT_S   # "started" answers number 0
        self._arm_watchdog()
        process.start(program, arguments)

    def close(self) -> None:
        """End the engine process (it is given a second to stop by itself)."""
        process, self._process = self._process, None
        self._watchdog.stop()
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.finished.disconnect(self._finished)
            process.write(b'{"cmd": "quit"}\n')
            process.closeWriteChannel()
            if not process.waitForFinished(1000):
                process.kill()
                process.waitForFinished(1000)
        if self._status in (STARTING, READY):
            self._set_status(OFF, "")

    # ---- commands ------------------------------------------------------------------------------
    @Slot(str, str)
    def say(self, text: str, language: str) -> None:
        """Speak ``text`` in the voice of ``language`` ("zh-CN" or "en"), cutting off the last."""
        if self._status == READY and language in self._voices:
            self._send({"cmd": "say", "text": text, "language": language})

    @Slot()
    def stop(self) -> None:
        if self._status == READY:
            self._send({"cmd": "stop"})

    def _send(self, command: dict[str, Any]) -> None:
        assert self._process is not None
        self._number += 1
        self._unanswered[self._number] = time.monotonic() + self._stuck_after_s
        self._process.write((json.dumps(dict(command, n=self._number), ensure_ascii=False) + "\n").encode())
        self._arm_watchdog()

    def _arm_watchdog(self) -> None:
        if not self._unanswered:
            self._watchdog.stop()
            return
        remaining = min(self._unanswered.values()) - time.monotonic()
        self._watchdog.start(max(0, int(remaining * 1000) + 1))

    # ---- what the engine process says ----------------------------------------------------------
    @Slot()
    def _read(self) -> None:
        if self._process is None:
            return
        self._output += bytes(self._process.readAllStandardOutput().data())
        *lines, self._output = self._output.split(b"\n")
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue   # not ours (a library printing to stdout)
            if "answered" in message:
                self._unanswered.pop(message["answered"], None)
            elif "started" in message:
                self._unanswered.pop(0, None)
                self._engine_started(message["started"], message.get("voices") or {}, message.get("problem", ""))
            elif "state" in message:
                self._engine_state_changed(int(message["state"]))
            elif "error" in message:
                # One prompt failed; the next may work, so the voice stays on. Kept for the
                # maintenance screen and the tests.
                log.warning("voice: the engine reported an error: %s", message["error"])
                self._last_error = str(message["error"])
                self.statusChanged.emit()
        if self._status != STUCK:
            self._arm_watchdog()

    @Slot()
    def _check_unanswered(self) -> None:
        if self._status in (STUCK, OFF) or not self._unanswered:
            return
        if min(self._unanswered.values()) > time.monotonic():
            self._arm_watchdog()
            return
        waited = START_TIMEOUT_S if 0 in self._unanswered else self._stuck_after_s
        log.error("voice: the text-to-speech engine has not answered for %.0f s; voice is off "
                  "until the kiosk restarts", waited)
        self._end_process()
        self._set_status(STUCK, f"the {self._engine or 'text-to-speech'} engine stopped answering")

    def _end_process(self) -> None:
        process, self._process = self._process, None
        self._unanswered.clear()
        if process is not None:
            process.finished.disconnect(self._finished)
            process.kill()
            process.waitForFinished(1000)   # a killed process ends at once

    @Slot(int, QProcess.ExitStatus)
    def _finished(self, code: int, _status: Any) -> None:
        if self._status in (STARTING, READY):
            log.error("voice: the speech engine process ended (exit status %s); voice is off", code)
            self._process = None
            self._unanswered.clear()
            self._watchdog.stop()
            self._set_status(UNAVAILABLE, f"the speech engine process ended (exit status {code})")

    @Slot(QProcess.ProcessError)
    def _process_failed(self, error: Any) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._status == STARTING:
            self._process = None
            self._unanswered.clear()
            self._watchdog.stop()
            self._set_status(UNAVAILABLE, "the speech engine process could not be started")

    def _engine_started(self, engine: str, voices: dict[str, str], problem: str) -> None:
        if self._status != STARTING:
            return
        self._engine, self._voices = engine, dict(voices)
        if not engine or not voices:
            log.warning("voice: prompts will not be spoken: %s", problem or "no voices")
            self._set_status(UNAVAILABLE, problem or "the engine has no voices")
            return
        if problem:
            log.warning("voice (%s): %s", engine, problem)
        log.info("voice: %s engine, voices %s", engine, self._voices)
        self._set_status(READY, problem)

    def _engine_state_changed(self, state: int) -> None:
        speaking = state == 1   # QTextToSpeech.State.Speaking
        if speaking and self._status == READY:
            self.startedSpeaking.emit()
        if speaking != self._speaking:
            self._speaking = speaking
            self.speakingChanged.emit()

    def _set_status(self, status: str, problem: str) -> None:
        self._status, self._problem = status, problem
        if status != READY and self._speaking:
            self._speaking = False
            self.speakingChanged.emit()
        self.statusChanged.emit()

    # ---- properties --------------------------------------------------------------------------
    def _get_status(self) -> str:
        return self._status

    def _get_problem(self) -> str:
        return self._problem

    def _get_last_error(self) -> str:
        return self._last_error

    def _get_available(self) -> bool:
        return self._status == READY

    def _get_speaking(self) -> bool:
        return self._speaking

    def _get_engine(self) -> str:
        return self._engine

    def _get_voices(self) -> dict[str, str]:
        return dict(self._voices)

    status = Property(str, _get_status, notify=statusChanged)
    problem = Property(str, _get_problem, notify=statusChanged)
    lastError = Property(str, _get_last_error, notify=statusChanged)
    available = Property(bool, _get_available, notify=statusChanged)
    engine = Property(str, _get_engine, notify=statusChanged)
    # PySide6 takes a QML type name here; its stubs allow only a Python type.
    voices = Property("QVariantMap", _get_voices, notify=statusChanged)  # type: ignore[arg-type]
    speaking = Property(bool, _get_speaking, notify=speakingChanged)
