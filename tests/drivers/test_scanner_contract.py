"""The code scanner family's own verbs over every backend with a far end, its serial line parser
(hypothesis), repeat folding, and zxing-cpp decoding of camera frames."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import qrcode
from hypothesis import given
from hypothesis import strategies as st

from drivers.common import DeviceIOError, DeviceState, ProtocolError
from drivers.scanner import (
    PresentsCodes,
    RepeatFilter,
    ScannedCode,
    code_scanner_backends,
    decode_codes,
)
from drivers.scanner.lines import MAX_LINE, BadLine, CodeLine, LineParser
from tests.drivers.backend_rigs import built_backend, present_backends
from tests.drivers.far_ends import PtyScanner


@pytest.fixture(params=present_backends("code_scanner"))
def scanner(request, tmp_path) -> Iterator[tuple[Any, Any]]:
    built = built_backend(request, "code_scanner", tmp_path)
    rig, driver = next(built)
    driver.open()
    yield rig, driver
    next(built, None)


def test_a_code_held_up_is_one_event_with_text_symbology_and_time(scanner):
    rig, driver = scanner
    rig.hold_up(driver, "NETID-0001")
    code = driver.read_code(5.0)
    assert isinstance(code, ScannedCode) and code.text and code.symbology and code.timestamp > 0
    assert code.text not in repr(code)  # codes may be personal: never in logs
    assert driver.info().family == "code_scanner"


@pytest.mark.parametrize("backend", ["simulated", "serial"])
def test_the_same_code_again_within_the_window_is_one_read(backend, tmp_path):
    class Param:
        param = backend

        def getfixturevalue(self, name: str) -> Any:
            raise LookupError(name)

    built = built_backend(Param(), "code_scanner", tmp_path)
    rig, driver = next(built)
    driver.open()
    for _ in range(3):
        rig.hold_up(driver, "SAME")
    rig.hold_up(driver, "OTHER")
    assert [driver.read_code(2.0).text, driver.read_code(2.0).text] == ["SAME", "OTHER"]
    assert driver.read_code(0.2) is None
    driver.forget_repeats()
    rig.hold_up(driver, "SAME")
    assert driver.read_code(2.0).text == "SAME"
    next(built, None)


def test_repeat_filter_window_and_rate_limit():
    repeats = RepeatFilter(window_s=3.0, min_interval_s=0.5)
    assert repeats.accept("a", 0.0)
    assert not repeats.accept("a", 2.0)  # a repeat, and it extends the window
    assert not repeats.accept("a", 4.5)
    assert repeats.accept("a", 8.0)
    assert not repeats.accept("b", 8.2)  # too soon after the last accepted read
    assert repeats.accept("c", 9.0)
    with pytest.raises(ValueError):
        RepeatFilter(window_s=-1)


@pytest.fixture
def pty_scanner() -> Iterator[tuple[PtyScanner, Any]]:
    far = PtyScanner()
    driver = code_scanner_backends.create("serial", port=far.path, aim_ids=True, line_timeout_s=0.2,
                                          min_interval_s=0)
    driver.open()
    yield far, driver
    driver.close()
    far.close()


def test_serial_line_ends_and_aim_identifiers(pty_scanner):
    far, driver = pty_scanner
    far.send(b"]Q1NETID-1\r]E04006381333931\n]C0ABC-123\r\n")
    codes = [driver.read_code(2.0) for _ in range(3)]
    assert [(c.text, c.symbology) for c in codes] == [("NETID-1", "qr"), ("4006381333931", "ean13"),
                                                      ("ABC-123", "code128")]


def test_serial_garbage_and_a_partial_line_are_protocol_errors_then_reading_goes_on(pty_scanner):
    far, driver = pty_scanner
    far.send(b"\xff\xfe\x00\r\n")
    with pytest.raises(ProtocolError):
        driver.read_code(2.0)
    far.send(b"]Q1CUT-OFF")  # the scanner goes quiet mid-code
    with pytest.raises(ProtocolError, match="incomplete"):
        driver.read_code(2.0)
    far.send("]Q1网证-2\r\n".encode())
    assert driver.read_code(2.0).text == "网证-2"
    assert driver.status().state is DeviceState.ONLINE


def test_serial_unplugged_is_an_io_error(pty_scanner):
    far, driver = pty_scanner
    far.unplug()
    with pytest.raises(DeviceIOError):
        driver.read_code(2.0)
    assert driver.status().state is DeviceState.HARDWARE_ERROR


def test_simulated_faults():
    driver = code_scanner_backends.create("simulated")
    assert isinstance(driver, PresentsCodes)
    driver.open()
    for kind, error in [("garbage", ProtocolError), ("partial_line", ProtocolError), ("disconnect", DeviceIOError)]:
        driver.script_fault(kind)
        with pytest.raises(error):
            driver.read_code(0.1)
    driver.present_code("OK")
    assert driver.read_code(1.0).text == "OK"


def test_decoding_from_a_frame():
    picture = np.array(qrcode.make("NETID:v1:abc").convert("RGB"))
    framed = np.full((480, 640, 3), 90, dtype=np.uint8)
    framed[40:40 + picture.shape[0], 100:100 + picture.shape[1]] = picture[:400, :400]
    [code] = decode_codes(framed, 12.5)
    assert (code.text, code.symbology, code.timestamp) == ("NETID:v1:abc", "qr", 12.5)
    assert decode_codes(np.zeros((100, 100), dtype=np.uint8)) == []
    with pytest.raises(ValueError):
        decode_codes(np.zeros((10, 10), dtype=np.float32))


# -- the serial line parser (outside bytes) ---------------------------------------------------
_texts = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf", "Co", "Cn", "Zs")),
                 min_size=1, max_size=60)
_ends = st.sampled_from([b"\r", b"\n", b"\r\n"])


@given(st.lists(st.tuples(_texts, _ends), max_size=8), st.data())
def test_parser_returns_every_code_whatever_the_chunking(lines, data):
    stream = b"".join(text.encode() + end for text, end in lines)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    parser = LineParser()
    results: list[Any] = []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        results += parser.feed(stream[start:end])
    assert results == [CodeLine(text, "unknown") for text, _ in lines]
    assert not parser.has_partial


@given(st.binary(max_size=300), st.booleans())
def test_parser_takes_any_bytes_without_raising(stream, aim_ids):
    parser = LineParser(aim_ids)
    results = parser.feed(stream)
    assert all(isinstance(r, CodeLine | BadLine) for r in results)
    for result in results:
        if isinstance(result, CodeLine):
            assert result.text.isprintable() and result.text
    had_partial = parser.has_partial
    assert (parser.flush_partial() is not None) == had_partial
    assert not parser.has_partial


def test_parser_drops_an_overlong_line_and_goes_on():
    parser = LineParser()
    assert parser.feed(b"x" * (MAX_LINE + 5) + b"\r\nOK\r\n") == [
        BadLine(f"a line longer than {MAX_LINE} bytes"), CodeLine("OK", "unknown")]
