"""The ``sam`` backend over a real pty (and a socket:// URL) with the shipped simulator on the far end."""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import pytest

from drivers.common import (
    DeviceError,
    DeviceNotFound,
    DeviceNotOpen,
    DeviceState,
    DeviceTimeout,
    ErrorAction,
    NoDocumentPresent,
)
from drivers.idcard import DocumentRemoved, DocumentType, id_reader_backends
from drivers.idcard.sam import frames
from drivers.idcard.sam.reader import SamIdReader
from drivers.idcard.simulated.sam_device import SimulatedSamDevice
from drivers.idcard.wlt import NO_DECODER_REASON


@pytest.fixture
def simulator():
    simulator = SimulatedSamDevice(slow_s=0.6)
    simulator.start()
    yield simulator
    simulator.stop()


@pytest.fixture
def reader(simulator):
    reader = id_reader_backends.create("sam", port=simulator.port, find_timeout_s=0.3,
                                       read_timeout_s=0.4, poll_interval_s=0.01)
    reader.open()
    yield reader
    reader.close()


def test_reads_a_resident_card_over_the_pty(simulator, reader):
    assert reader.info().serial == "0501000000000000001E"
    simulator.present("resident_id")
    identity = reader.read_document(1.0)
    assert identity.document_type is DocumentType.RESIDENT_ID and identity.ethnicity == "汉"
    assert identity.photo_jpeg is None and identity.photo_missing_reason == NO_DECODER_REASON
    # find and select before every read, then the text+photo read and the appended address
    assert simulator.commands[-4:] == [frames.FIND_CARD, frames.SELECT_CARD,
                                       frames.READ_TEXT_PHOTO, frames.READ_APPENDED_ADDRESS]


def test_reads_a_residence_permit(simulator, reader):
    simulator.present("hmt_permit")
    assert reader.read_document(1.0).document_type is DocumentType.HMT_RESIDENCE_PERMIT


def test_fingerprint_read(simulator):
    reader = SamIdReader(port=simulator.start(), fingerprints=True, appended_address=False)
    reader.open()
    try:
        simulator.present("resident_id")
        assert reader.read_document(1.0).name
        assert simulator.commands[-1] == frames.READ_TEXT_PHOTO_FINGERPRINT
    finally:
        reader.close()


def test_no_card_times_out_with_no_document(simulator, reader):
    with pytest.raises(NoDocumentPresent):
        reader.read_document(0.05)
    simulator.present("resident_id")
    simulator.script_fault("no_card", 3)
    assert reader.read_document(2.0).name  # polls past the scripted "no card" answers


@pytest.mark.parametrize("fault", ["bad_checksum", "truncated"])
def test_garbled_replies_are_retried(simulator, reader, fault):
    simulator.present("resident_id")
    simulator.script_fault(fault, 2)
    assert reader.read_document(2.0).document_type is DocumentType.RESIDENT_ID
    assert reader.status().state is DeviceState.ONLINE


def test_persistent_garbage_is_an_error_and_the_next_read_works(simulator, reader):
    simulator.present("resident_id")
    simulator.script_fault("bad_checksum", 3)
    with pytest.raises(DeviceError) as info:
        reader.read_document(1.0)
    assert info.value.action is ErrorAction.RESET
    assert reader.read_document(1.0).name


def test_card_removed_mid_read_ends_cleanly(simulator, reader):
    simulator.present("resident_id")
    simulator.script_fault("card_removed")
    with pytest.raises(DocumentRemoved) as info:
        reader.read_document(1.0)
    assert info.value.action is ErrorAction.NONE
    with pytest.raises(NoDocumentPresent):
        reader.read_document(0.05)
    simulator.present("resident_id")
    assert reader.read_document(1.0).name


def test_not_authorised_needs_maintenance(simulator):
    simulator.script_fault("not_authorised")
    reader = SamIdReader(port=simulator.port)
    with pytest.raises(DeviceError) as info:
        reader.open()
    assert info.value.action is ErrorAction.MAINTENANCE
    assert reader.status().action is ErrorAction.MAINTENANCE
    reader.open()  # the next attempt is authorised again
    reader.close()


def test_slow_reader_within_and_beyond_the_timeout(simulator):
    # The late answer (1.5 s) lands half a second past the first attempt's window and half a
    # second inside the retry's, so a loaded machine cannot push it across either edge.
    simulator.slow_s = 1.5
    reader = id_reader_backends.create("sam", port=simulator.port, find_timeout_s=1.0,
                                       read_timeout_s=1.0, poll_interval_s=0.01)
    reader.open()
    try:
        simulator.present("resident_id")
        simulator.script_fault("slow")
        assert reader.read_document(6.0).name
    finally:
        reader.close()


def test_missing_port_and_closed_reader():
    reader = SamIdReader(port="/dev/does-not-exist-ttyUSB9")
    assert not reader.is_usable()
    with pytest.raises(DeviceNotFound):
        reader.open()
    with pytest.raises(DeviceNotOpen):
        reader.read_document(0.01)


def test_bad_options_are_refused():
    with pytest.raises(ValueError):
        SamIdReader(baudrate=1234)
    with pytest.raises(ValueError):
        SamIdReader(read_timeout_s=0)


def test_socket_url(simulator):
    tcp = SimulatedSamDevice()
    url = tcp.start_tcp()
    assert url.startswith("socket://")
    reader = SamIdReader(port=url)
    try:
        reader.open()
        tcp.present("hmt_permit")
        assert reader.read_document(1.0).document_type is DocumentType.HMT_RESIDENCE_PERMIT
    finally:
        reader.close()
        tcp.stop()


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is in tools/setup-system.sh")
def test_wlt_decoder_plugin_through_ctypes(tmp_path, simulator):
    """A stand-in vendor library (same C signature) proves the ctypes plugin path end to end."""
    source = tmp_path / "wlt.c"
    source.write_text(textwrap.dedent("""
        #include <string.h>
        int unpack(char *src, char *dst, int bmpSave) {
            /* 102x126 24-bit BMP: header then grey pixels seeded from the WLT bytes */
            unsigned char h[54] = {'B','M'}; int row = 308, size = 54 + row * 126;
            memset(dst, 0, 38862);
            h[2]=size&255; h[3]=(size>>8)&255; h[4]=(size>>16)&255; h[10]=54; h[14]=40;
            h[18]=102; h[22]=126; h[26]=1; h[28]=24;
            memcpy(dst, h, 54);
            for (int i = 0; i < row * 126; i++) dst[54 + i] = src[i % 1024];
            return src[0] == 'W' ? 1 : -2;
        }
    """))
    library = tmp_path / "libwlt_test.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    reader = SamIdReader(port=simulator.port, wlt_decoder=str(library))
    reader.open()
    try:
        simulator.present("resident_id")
        identity = reader.read_document(1.0)
        assert identity.photo_jpeg[:3] == b"\xff\xd8\xff" and identity.photo_missing_reason is None
    finally:
        reader.close()
    broken = SamIdReader(port=simulator.port, wlt_decoder=str(tmp_path / "missing.so"))
    broken.open()
    try:
        identity = broken.read_document(1.0)
        assert identity.photo_jpeg is None and "decoder" in identity.photo_missing_reason
    finally:
        broken.close()


def test_reader_slower_than_its_timeouts_is_a_timeout_then_recovers():
    simulator = SimulatedSamDevice(slow_s=1.0)
    reader = SamIdReader(port=simulator.start(), find_timeout_s=0.1, poll_interval_s=0.01)
    try:
        reader.open()
        simulator.present("resident_id")
        simulator.script_fault("slow")
        with pytest.raises(DeviceTimeout) as info:
            reader.read_document(1.0)
        assert info.value.action is ErrorAction.RESET
        assert reader.status().action is ErrorAction.RESET
        import time
        time.sleep(1.0)  # the late reply arrives and is discarded before the next command
        assert reader.read_document(1.0).name
        assert reader.status().state is DeviceState.ONLINE
    finally:
        reader.close()
        simulator.stop()


def test_presence_is_not_asked_unless_configured(simulator, reader):
    """Many SAM modules only find cards not yet selected: without ``presence_by_find`` the
    reader never claims a card is gone, and sends nothing to ask."""
    simulator.present("resident_id")
    reader.read_document(1.0)
    simulator.remove()
    sent = len(simulator.commands)
    assert reader.document_present() is True
    assert len(simulator.commands) == sent


def test_presence_by_find_and_inconclusive_answers(simulator):
    reader = id_reader_backends.create("sam", port=simulator.port, find_timeout_s=0.3,
                                       read_timeout_s=0.4, poll_interval_s=0.01, retries=0,
                                       presence_by_find=True)
    reader.open()
    try:
        simulator.present("resident_id")
        reader.read_document(1.0)
        assert reader.document_present() is True
        assert simulator.commands[-1] == frames.FIND_CARD
        simulator.remove()
        simulator.script_fault("bad_checksum")  # garbled: says nothing, so still "present"
        assert reader.document_present() is True
        assert reader.document_present() is False
    finally:
        reader.close()
