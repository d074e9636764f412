"""The SAM exchange layer: resynchronisation on noise and the rfc2217:// transport."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
import serial
import serial.rfc2217
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.common import DeviceTimeout, ProtocolError
from drivers.idcard import DocumentType
from drivers.idcard.sam import frames
from drivers.idcard.sam.protocol import SamProtocol
from drivers.idcard.sam.reader import SamIdReader
from drivers.idcard.sam.transport import ReadTimeout
from drivers.idcard.simulated.sam_device import SimulatedSamDevice


class BytesTransport:
    """Replays fixed reader bytes; the stand-in for a serial line in property tests."""

    def __init__(self, data: bytes) -> None:
        self.data = bytearray(data)

    def write(self, frame: bytes) -> None:
        pass

    def discard_input(self) -> None:
        pass

    def read_exact(self, count: int, deadline: float) -> bytes:
        if len(self.data) < count:
            received = len(self.data)
            self.data.clear()
            raise ReadTimeout("out of bytes", received)
        chunk = bytes(self.data[:count])
        del self.data[:count]
        return chunk


@given(st.binary(max_size=40).filter(lambda b: frames.PREAMBLE[:1] not in b), st.integers(0, 255),
       st.binary(max_size=64))
def test_noise_before_a_frame_is_skipped(noise, sw3, data):
    protocol = SamProtocol(BytesTransport(noise + frames.encode_response(sw3, data)), retries=0)
    response = protocol.exchange(frames.FIND_CARD, 0.1)
    assert (response.sw3, response.data) == (sw3, data)


@given(st.binary(max_size=600))
@settings(max_examples=300)
def test_random_reader_bytes_end_in_a_clear_error(data):
    protocol = SamProtocol(BytesTransport(data), retries=1)
    with contextlib.suppress(ProtocolError, DeviceTimeout):
        protocol.exchange(frames.READ_TEXT_PHOTO, 0.1)


class PtyLine(serial.Serial):
    """A pty has no modem lines; answer them as a three-wire UART would."""

    cts = dsr = ri = cd = property(lambda self: False)

    def _update_rts_state(self) -> None:
        pass

    def _update_dtr_state(self) -> None:
        pass

    def _update_break_state(self) -> None:
        pass


def _rfc2217_server(port_path: str) -> tuple[int, threading.Event]:
    """A minimal RFC 2217 server (pyserial's PortManager) in front of the simulator's pty."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        connection, _ = listener.accept()
        listener.close()
        line = PtyLine(port_path, timeout=0.05)
        lock = threading.Lock()

        class Writer:
            def write(self, data: bytes) -> None:
                with lock:
                    connection.sendall(data)

        manager = serial.rfc2217.PortManager(line, Writer())

        def to_network() -> None:
            while not stop.is_set():
                try:
                    data = line.read(4096)
                except (serial.SerialException, OSError, TypeError):
                    return
                if data:
                    Writer().write(b"".join(manager.escape(data)))

        threading.Thread(target=to_network, daemon=True).start()
        connection.settimeout(0.05)
        while not stop.is_set():
            try:
                data = connection.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            line.write(b"".join(manager.filter(data)))
        connection.close()
        line.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], stop


# pyserial's own RFC 2217 client still calls Thread.setDaemon/setName.
@pytest.mark.filterwarnings("ignore:set(Daemon|Name)\\(\\) is deprecated:DeprecationWarning")
def test_rfc2217_url():
    simulator = SimulatedSamDevice()
    simulator.start()
    port, stop = _rfc2217_server(simulator.port)
    reader = SamIdReader(port=f"rfc2217://127.0.0.1:{port}")
    try:
        reader.open()
        simulator.present("resident_id")
        assert reader.read_document(2.0).document_type is DocumentType.RESIDENT_ID
    finally:
        reader.close()
        stop.set()
        simulator.stop()
