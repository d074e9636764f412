"""The far ends the real backends talk to in tests: an ESC/POS printer on a pty, a private cupsd,
a video file for OpenCV. Shared by the family suites and the device lifecycle suite."""

from __future__ import annotations

import io
import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import tty
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from drivers.printer import SimulatedNetworkPrinter
from drivers.printer.simulated.escpos_device import SimulatedEscposDevice


class PtyPrinter:
    """An emulator on the master side of a pty; the driver opens the slave like a real port."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo, no newline translation: a byte pipe like a real port
        self.path = os.ttyname(self.slave)
        self.device = SimulatedEscposDevice()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:
                    return
                answers = self.device.feed(data)
                if answers:
                    os.write(self.master, answers)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self.master)
        os.close(self.slave)


class PtyScanner:
    """A code scanner in USB CDC mode on the master side of a pty: :meth:`send` writes bytes as
    the scanner would; :meth:`unplug` closes the master, as when the cable is pulled."""

    def __init__(self) -> None:
        self.master: int | None
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)

    def send(self, data: bytes) -> None:
        assert self.master is not None
        os.write(self.master, data)

    def scan(self, text: str) -> None:
        self.send(text.encode("utf-8") + b"\r\n")

    def unplug(self) -> None:
        if self.master is not None:
            os.close(self.master)
            self.master = None

    def close(self) -> None:
        self.unplug()
        os.close(self.slave)


CUPS_PDF_PPD = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cupsd:
    """A private cupsd: config, spool, logs and temp files under ``root``; listens on loopback."""

    def __init__(self, root: Path) -> None:
        self.root, self.port = root, _free_port()
        self.server = f"127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self.started_at = time.time()
        for name in ("spool", "cache", "state", "log", "ppd"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        (self.root / "tmp").mkdir(mode=0o1777, exist_ok=True)
        os.chmod(self.root / "tmp", 0o1777)  # filters run as user lp and write here
        os.chmod(self.root, 0o755)
        (self.root / "cups-files.conf").write_text(
            f"ServerRoot {self.root}\nRequestRoot {self.root}/spool\nCacheDir {self.root}/cache\n"
            f"StateDir {self.root}/state\nTempDir {self.root}/tmp\nAccessLog {self.root}/log/access_log\n"
            f"ErrorLog {self.root}/log/error_log\nPageLog {self.root}/log/page_log\n"
            f"Printcap {self.root}/printcap\nFileDevice Yes\nSandboxing Relaxed\n")
        (self.root / "cupsd.conf").write_text(
            f"Listen 127.0.0.1:{self.port}\nLogLevel info\nWebInterface No\nBrowsing No\n"
            "DefaultAuthType None\nErrorPolicy abort-job\n<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
            "<Policy default>\n  <Limit All>\n    Order allow,deny\n    Allow all\n  </Limit>\n</Policy>\n")
        # -f: stay in the foreground as our child (no systemd here); we stop it by its pid.
        self.process = subprocess.Popen(
            [shutil.which("cupsd") or "/usr/sbin/cupsd", "-f", "-c", str(self.root / "cupsd.conf"),
             "-s", str(self.root / "cups-files.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            result = subprocess.run(["lpstat", "-h", self.server, "-r"], capture_output=True, text=True)
            if "is running" in result.stdout:
                return
            time.sleep(0.1)
        raise RuntimeError("cupsd did not start")

    def printed(self, job: str, timeout_s: float = 20) -> Path:
        """The PDF cups-pdf made of this cupsd's ``job``, once whole."""
        number = job.rsplit("-", 1)[-1]
        out_dir = Path.home() / "PDF"  # cups-pdf's "Out ${HOME}/PDF" for the submitting user
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            # Every private cupsd numbers its jobs from 1 and the folder is shared, so an
            # earlier cupsd's "...-job_3.pdf" (a test that failed before removing its paper)
            # would pass for this one's: only files written since this cupsd started count.
            found = [p for p in out_dir.glob(f"*-job_{number}.pdf") if p.stat().st_mtime >= self.started_at]
            # cups-pdf writes the file as Ghostscript produces it: it is there before it is
            # whole, and a page read then is missing most of what it shows. Whole once it
            # ends in %%EOF.
            if len(found) == 1 and b"%%EOF" in found[0].read_bytes()[-1024:]:
                return found[0]
            time.sleep(0.1)
        raise AssertionError(f"cups-pdf wrote nothing for {job}")

    def lpadmin(self, *args: str) -> None:
        subprocess.run(["lpadmin", "-h", self.server, *args], check=True, capture_output=True)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def start_cupsd() -> Iterator[Cupsd]:
    """A private cupsd with an A4 queue on cups-pdf and a raw RECEIPT queue whose device is a
    loopback ESC/POS printer (``.loopback``); stopped and removed when the generator is closed."""
    assert shutil.which("cupsd") or os.path.exists("/usr/sbin/cupsd"), "cups-daemon missing: run tools/setup-system.sh"
    assert os.path.exists(CUPS_PDF_PPD), "printer-driver-cups-pdf missing: run tools/setup-system.sh"
    # Not under pytest's 0700 tmp folder: cupsd runs filters as user lp, which must reach it.
    root = Path(tempfile.mkdtemp(prefix="kiosk-cupsd-"))
    daemon = Cupsd(root)
    daemon.start()
    loopback = SimulatedNetworkPrinter().start()
    try:
        daemon.lpadmin("-p", "A4", "-E", "-v", "cups-pdf:/", "-P", CUPS_PDF_PPD)
        # The raw receipt queue sends to our loopback ESC/POS printer through CUPS' socket backend.
        host, port = loopback.address
        daemon.lpadmin("-p", "RECEIPT", "-E", "-v", f"socket://{host}:{port}", "-m", "raw")
        daemon.loopback = loopback  # type: ignore[attr-defined]
        yield daemon
    finally:
        daemon.stop()
        loopback.stop()
        shutil.rmtree(root, ignore_errors=True)


def sample_pdf() -> bytes:
    image = Image.new("L", (595, 842), 255)
    ImageDraw.Draw(image).rectangle((60, 60, 535, 200), outline=0, width=6)
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=72)
    return out.getvalue()


def write_video(path, frames: int = 6, size=(320, 240)) -> str:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, size)
    assert writer.isOpened()
    for i in range(frames):
        image = np.zeros((size[1], size[0], 3), dtype=np.uint8)
        image[..., 2] = 40 * i  # BGR: red grows frame by frame
        writer.write(image)
    writer.release()
    return str(path)


