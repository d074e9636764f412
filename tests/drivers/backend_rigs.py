"""Every backend name of every device registry, built against its far end, for the lifecycle suite.

A :class:`Rig` builds one backend the way a terminal would (through its registry) and knows the
family's main verb (:meth:`Rig.exercise`), how to make that verb fail the way this backend fails
in the field (:meth:`Rig.fault`) and how to mend it (:meth:`Rig.mend`). Real backends talk to the
shipped simulators and loopbacks: the SAM simulator on a pty, pcscd + vpcd + our passport
emulator, an ESC/POS emulator on the network loopback or on a pty device file, a private cupsd,
and a video file read through OpenCV. ``usb`` has no far end here: its rig is ``absent`` and
only the parts of the contract that need no device run against it.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from drivers.camera import camera_backends
from drivers.common import BackendRegistry, Device, ScriptsFaults
from drivers.doccam import document_camera_backends
from drivers.idcard import DemoDocuments, id_reader_backends
from drivers.idcard.simulated.sam_device import SimulatedSamDevice
from drivers.printer import (
    Receipt,
    SimulatedNetworkPrinter,
    document_printer_backends,
    receipt_printer_backends,
)
from drivers.scanner import code_scanner_backends
from tests.drivers.far_ends import PtyPrinter, PtyScanner, sample_pdf, write_video

RECEIPT = Receipt("受理回执", "110105-T01-20261126-0042", [("办理事项", "居住证申领")],
                  qr_data="https://zwfw.example.gov.cn/progress?no=110105-T01-20261126-0042")

#: role → its registry (the kiosk's roles).
REGISTRIES: dict[str, BackendRegistry[Any]] = {
    "id_reader": id_reader_backends,
    "camera": camera_backends,
    "document_camera": document_camera_backends,
    "code_scanner": code_scanner_backends,
    "receipt_printer": receipt_printer_backends,
    "document_printer": document_printer_backends,
}


class Rig:
    """One backend against its far end. Subclasses set :meth:`build` and the verbs."""

    #: False when no far end exists here (the backend cannot open: only the closed-state contract runs).
    present = True

    def __init__(self, role: str, backend: str, resources: Callable[[str], Any], tmp: Path) -> None:
        self.role, self.backend, self.resources, self.tmp = role, backend, resources, tmp
        self.stack = ExitStack()

    def build(self) -> Device:
        """Start the far end and construct the backend (no I/O in the backend yet)."""
        raise NotImplementedError

    def exercise(self, driver: Any) -> None:
        """Run the family's main verb once; raises what the backend raises."""
        raise NotImplementedError

    def fault(self, driver: Any) -> None:
        """Make the next :meth:`exercise` fail with a DeviceError."""
        raise NotImplementedError

    def mend(self, driver: Any) -> None:
        """Undo :meth:`fault`: the next :meth:`exercise` succeeds again."""

    def close(self) -> None:
        """Stop the far end."""
        self.stack.close()


# -- ID readers --------------------------------------------------------------------------------
class ReaderRig(Rig):
    """ID readers: the verb is "place a document, read it"."""

    document = "resident_id"

    def place(self, driver: Any) -> None:
        """Put the sample document on the reader."""
        assert isinstance(driver, DemoDocuments)
        driver.present(self.document)

    def exercise(self, driver: Any) -> None:
        self.place(driver)
        driver.read_document(5.0)

    def fault(self, driver: Any) -> None:
        assert isinstance(driver, ScriptsFaults)
        driver.script_fault("io_error" if self.backend == "simulated" else "card_removed")


class SimulatedReaderRig(ReaderRig):
    def build(self) -> Device:
        return id_reader_backends.create("simulated", documents=["resident_id"], read_delay_s=0)


class SamSimulatedRig(ReaderRig):
    def build(self) -> Device:
        return id_reader_backends.create("sam_simulated", poll_interval_s=0.005)


class SamRig(ReaderRig):
    """The real ``sam`` backend on the slave side of a pty, the SAM simulator on the master."""

    def build(self) -> Device:
        self.simulator = SimulatedSamDevice()
        self.simulator.start()
        self.stack.callback(self.simulator.stop)
        return id_reader_backends.create("sam", port=self.simulator.port, find_timeout_s=0.3,
                                         read_timeout_s=1.0, poll_interval_s=0.01)

    def place(self, driver: Any) -> None:
        self.simulator.present(self.document)

    def fault(self, driver: Any) -> None:
        self.simulator.script_fault("card_removed")


class MultiRig(ReaderRig):
    def build(self) -> Device:
        return id_reader_backends.create("multi", readers=[
            {"backend": "sam_simulated", "options": {"documents": ["resident_id"], "poll_interval_s": 0.005}},
            {"backend": "simulated", "options": {"documents": ["passport"], "read_delay_s": 0}},
        ], slice_s=0.02)

    def fault(self, driver: Any) -> None:
        driver.readers[0].script_fault("card_removed")  # the SAM reader behind the multi


class PcscRig(ReaderRig):
    """The real ``pcsc`` backend: pyscard → a private pcscd → vpcd → our emulated passport."""

    def build(self) -> Device:
        self.rig = self.resources("rig")
        self.key: Any = self.rig.passport.key
        return id_reader_backends.create("pcsc", reader_name=self.rig.reader_name, allow_virtual_readers=True,
                                         poll_interval_s=0.05, supervise_interval_s=0.5)

    def exercise(self, driver: Any) -> None:
        driver.set_access_key(self.key)
        self.rig.insert()
        try:
            driver.read_document(10.0)
        finally:
            self.rig.remove()
            self.key = self.rig.passport.key

    def fault(self, driver: Any) -> None:
        self.key = None  # the passport lies there but nobody typed its access key


# -- cameras -----------------------------------------------------------------------------------
class SimulatedCameraRig(Rig):
    def build(self) -> Device:
        return camera_backends.create("simulated", approach_s=0)

    def exercise(self, driver: Any) -> None:
        driver.read_frame(2.0)

    def fault(self, driver: Any) -> None:
        driver.script_fault("unplugged")


class OpenCvRig(SimulatedCameraRig):
    """The real ``opencv`` backend reading a video file made here (a camera whose cable can go)."""

    def build(self) -> Device:
        self.video = Path(write_video(self.tmp / "camera.avi", frames=4))
        return camera_backends.create("opencv", device=str(self.video), reopen_interval_s=0)

    def fault(self, driver: Any) -> None:
        shutil.move(self.video, self.tmp / "unplugged.avi")
        for _ in range(10):  # what was decoded already still arrives; then the source is gone
            try:
                driver.read_frame(2.0)
            except Exception:
                return

    def mend(self, driver: Any) -> None:
        shutil.move(self.tmp / "unplugged.avi", self.video)


class SimulatedDocumentCameraRig(SimulatedCameraRig):
    def build(self) -> Device:
        return document_camera_backends.create("simulated", width=640, height=480, fps=100)


class OpenCvDocumentCameraRig(OpenCvRig):
    """The real ``opencv`` document camera backend reading a video file made here."""

    def build(self) -> Device:
        self.video = Path(write_video(self.tmp / "desk.avi", frames=4))
        return document_camera_backends.create("opencv", device=str(self.video), reopen_interval_s=0)


# -- code scanners ----------------------------------------------------------------------------
class ScannerRig(Rig):
    """Code scanners: the verb is "hold a code up, read it" (each time a new code: repeats fold)."""

    count = 0

    def next_text(self) -> str:
        self.count += 1
        return f"https://zwfw.example.gov.cn/progress?no=T01-{self.count:04d}"

    def exercise(self, driver: Any) -> None:
        self.hold_up(driver, self.next_text())
        assert driver.read_code(5.0) is not None

    def hold_up(self, driver: Any, text: str) -> None:
        """Put ``text`` in front of the scanner."""
        driver.present_code(text)


class SimulatedScannerRig(ScannerRig):
    def build(self) -> Device:
        return code_scanner_backends.create("simulated")

    def fault(self, driver: Any) -> None:
        driver.script_fault("disconnect")


class SerialScannerRig(ScannerRig):
    """The real ``serial`` backend on the slave side of a pty; the test writes what a scanner sends."""

    def build(self) -> Device:
        self.far = PtyScanner()
        self.stack.callback(self.far.close)
        return code_scanner_backends.create("serial", port=self.far.path, line_timeout_s=0.3, min_interval_s=0)

    def hold_up(self, driver: Any, text: str) -> None:
        self.far.scan(text)

    def fault(self, driver: Any) -> None:
        self.far.send(b"\xff\xfe garbage\r\n")


class CameraScannerRig(ScannerRig):
    """The real ``camera`` backend (zxing-cpp) on the simulated camera showing a QR code."""

    def build(self) -> Device:
        import qrcode

        path = self.tmp / "code.png"
        qrcode.make(self.next_text()).save(str(path))
        return code_scanner_backends.create(
            "camera", camera={"backend": "simulated", "options": {"images": [str(path)], "fps": 30}},
            repeat_window_s=0, min_interval_s=0)

    def hold_up(self, driver: Any, text: str) -> None:
        """The camera shows the same code throughout (repeats are not folded in this rig)."""

    def fault(self, driver: Any) -> None:
        driver.camera.script_fault("unplugged")


# -- printers ----------------------------------------------------------------------------------
class ReceiptRig(Rig):
    def exercise(self, driver: Any) -> None:
        driver.print_receipt(RECEIPT)


class SimulatedReceiptRig(ReceiptRig):
    def build(self) -> Device:
        return receipt_printer_backends.create("simulated", output_dir=str(self.tmp / "out"))

    def fault(self, driver: Any) -> None:
        driver.script_fault("offline")


class NetworkRig(ReceiptRig):
    """The real ``network`` backend against the loopback ESC/POS printer on 127.0.0.1."""

    def build(self) -> Device:
        self.loopback = SimulatedNetworkPrinter().start()
        self.stack.callback(self.loopback.stop)
        host, port = self.loopback.address
        return receipt_printer_backends.create("network", host=host, port=port, status_timeout_s=2.0)

    def fault(self, driver: Any) -> None:
        self.loopback.unplugged = True

    def mend(self, driver: Any) -> None:
        self.loopback.unplugged = False


class PtyRig(ReceiptRig):
    """The real ``serial`` and ``file`` backends on a pty, the ESC/POS emulator on the far end."""

    def build(self) -> Device:
        self.far = PtyPrinter()
        self.stack.callback(self.far.close)
        option = {"port": self.far.path} if self.backend == "serial" else {"devfile": self.far.path}
        return receipt_printer_backends.create(self.backend, status_timeout_s=2.0, **option)

    def fault(self, driver: Any) -> None:
        self.far.device.set_state(cover_open=True)

    def mend(self, driver: Any) -> None:
        self.far.device.set_state(cover_open=False)


class UsbRig(ReceiptRig):
    """No USB printer here: the closed-state contract only."""

    present = False

    def build(self) -> Device:
        return receipt_printer_backends.create("usb", vendor_id=0x0416, product_id=0x5011)


class CupsRig(Rig):
    """The real ``cups`` backends against a private cupsd (cups-pdf for A4, raw queue to loopback)."""

    def build(self) -> Device:
        self.cupsd = self.resources("cupsd")
        self.queue = "A4" if self.role == "document_printer" else "RECEIPT"
        registry = REGISTRIES[self.role]
        return registry.create("cups", queue=self.queue, server=self.cupsd.server)

    def exercise(self, driver: Any) -> None:
        if self.role == "document_printer":
            driver.print_document(sample_pdf(), "lifecycle")
        else:
            driver.print_receipt(RECEIPT)

    def fault(self, driver: Any) -> None:
        subprocess.run(["cupsdisable", "-h", self.cupsd.server, self.queue], check=True)
        self.stack.callback(self.mend, driver)

    def mend(self, driver: Any) -> None:
        subprocess.run(["cupsenable", "-h", self.cupsd.server, self.queue], check=True)


class SimulatedDocumentRig(Rig):
    def build(self) -> Device:
        return document_printer_backends.create("simulated", output_dir=str(self.tmp / "out"))

    def exercise(self, driver: Any) -> None:
        driver.print_document(b"%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF\n", "lifecycle")

    def fault(self, driver: Any) -> None:
        driver.script_fault("paper_out")


#: role → backend name → its rig.
RIGS: dict[str, dict[str, type[Rig]]] = {
    "id_reader": {"simulated": SimulatedReaderRig, "sam": SamRig, "sam_simulated": SamSimulatedRig,
                  "pcsc": PcscRig, "multi": MultiRig},
    "camera": {"simulated": SimulatedCameraRig, "opencv": OpenCvRig},
    "document_camera": {"simulated": SimulatedDocumentCameraRig, "opencv": OpenCvDocumentCameraRig},
    "code_scanner": {"simulated": SimulatedScannerRig, "serial": SerialScannerRig, "camera": CameraScannerRig},
    "receipt_printer": {"simulated": SimulatedReceiptRig, "network": NetworkRig, "serial": PtyRig,
                        "file": PtyRig, "usb": UsbRig, "cups": CupsRig},
    "document_printer": {"simulated": SimulatedDocumentRig, "cups": CupsRig},
}

#: Rigs that need a shared far end (a pytest fixture) by name.
SHARED_FAR_ENDS = {("id_reader", "pcsc"): "rig", ("receipt_printer", "cups"): "cupsd",
                   ("document_printer", "cups"): "cupsd"}


def every_backend() -> Iterator[tuple[str, str]]:
    """(role, backend) for every backend name of every registry."""
    for role, registry in REGISTRIES.items():
        for name in registry.names():
            yield role, name


def present_backends(role: str) -> list[str]:
    """The backend names of ``role`` whose far end exists here (parameters for family suites)."""
    return [name for name, rig in sorted(RIGS[role].items()) if rig.present]


def built_backend(request: Any, role: str, tmp: Path) -> Iterator[tuple[Rig, Any]]:
    """Fixture body: build backend ``request.param`` of ``role`` against its far end; close both after."""
    built = RIGS[role][request.param](role, request.param, request.getfixturevalue, tmp)
    try:
        driver = built.build()
        yield built, driver
        driver.close()
    finally:
        built.close()
