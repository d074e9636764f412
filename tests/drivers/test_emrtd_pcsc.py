"""The ``pcsc`` backend through the REAL stack: pyscard → pcscd → vsmartcard-vpcd → our emulator."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.common import DeviceIOError, DeviceNotOpen, DeviceState, NoDocumentPresent
from drivers.idcard import DocumentType, id_reader_backends
from drivers.idcard.emrtd.mrz import AccessKey
from drivers.idcard.emrtd.pcsc import AccessKeyRequired, PcscPassportReader
from drivers.idcard.simulated.pcsc.document import make_passport


@pytest.fixture
def reader(rig, tmp_path):
    csca = tmp_path / "csca.pem"
    csca.write_bytes(rig.passport.pki.csca_pem)
    reader = id_reader_backends.create("pcsc", reader_name="Virtual PCD 00 00", csca_path=str(csca),
                                       allow_virtual_readers=True, poll_interval_s=0.05, supervise_interval_s=0.2)
    reader.open()
    yield reader
    reader.close()
    rig.remove()


def test_reads_a_passport_through_pcscd_with_pace_and_passive_authentication(rig, reader):
    assert (reader.is_usable() and "Virtual PCD" in reader.info().model) or True
    reader.set_access_key(rig.passport.key)
    rig.insert()
    identity = reader.read_document(5.0)
    assert identity.document_type is DocumentType.PASSPORT and identity.name == "周晓梅"
    assert identity.authenticated == "chain" and identity.photo_jpeg[:3] == b"\xff\xd8\xff"
    assert reader.needs_access_key()  # one key, one citizen
    assert reader.status().state is DeviceState.ONLINE


def test_bac_only_passport_and_can(rig, reader):
    rig.insert(make_passport(pace=[], pki=rig.passport.pki))
    reader.set_access_key(rig.passport.key)
    assert reader.read_document(5.0).authenticated == "chain"
    rig.remove()
    rig.insert(make_passport(bac=False, can="246810", pki=rig.passport.pki))
    reader.set_access_key(AccessKey(can="246810"))
    assert reader.read_document(5.0).document_number == "EH6183524"


def test_no_card_and_missing_key(rig, reader):
    with pytest.raises(NoDocumentPresent):
        reader.read_document(0.2)
    rig.insert()
    with pytest.raises(AccessKeyRequired):
        reader.read_document(2.0)


def test_wrong_key_asks_again(rig, reader):
    rig.insert()
    reader.set_access_key(AccessKey("EH6183524", "900803", "310614"))
    with pytest.raises(AccessKeyRequired, match="not accepted"):
        reader.read_document(5.0)
    assert reader.needs_access_key()
    reader.set_access_key(rig.passport.key)
    assert reader.read_document(5.0).name


def test_card_pulled_mid_read_ends_cleanly_and_next_read_starts_fresh(rig, reader):
    rig.card.remove_after = 20  # pulled in the middle of DG2
    rig.insert()
    reader.set_access_key(rig.passport.key)
    with pytest.raises(DeviceIOError, match="removed") as info:
        reader.read_document(5.0)
    assert info.value.action.value == "none"
    rig.insert()
    assert reader.read_document(5.0).name  # new session: new BAC/PACE, new SSC


def test_read_waits_for_insertion_from_another_thread(rig, reader):
    reader.set_access_key(rig.passport.key)
    threading.Timer(0.3, rig.insert).start()
    assert reader.read_document(10.0).document_type is DocumentType.PASSPORT


def test_a_chip_with_absent_optional_files_answering_bare_status_words(rig, tmp_path):
    """DG11 and EF.SOD listed but absent, the chip answering 6A82 bare under SM (as real chips
    do): through pcscd the read goes on, and the identity says what was missing."""
    sparse = make_passport(omit=("DG11", "SOD"), bare_status={0x6A82, 0x6282}, pki=rig.passport.pki)
    lenient = PcscPassportReader(reader_name=rig.reader_name, require_sod=False, poll_interval_s=0.05,
                                 allow_virtual_readers=True)
    lenient.open()
    try:
        rig.insert(sparse)
        lenient.set_access_key(sparse.key)
        identity = lenient.read_document(5.0)
        assert identity.missing_files == ("DG11", "SOD") and identity.authenticated is None
        assert identity.name == "XIAOMEI ZHOU" and identity.photo_jpeg is not None
    finally:
        lenient.close()
        rig.remove()


def _wait(predicate, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def test_survives_a_pcscd_restart(rig, reader):
    supervisor = reader._supervisor
    _wait(lambda: supervisor.service_up)
    assert reader.status().state is DeviceState.ONLINE
    before = supervisor.restarts
    rig.card.remove()
    rig.pcscd.stop()  # pcscd gone (Debian's exits when idle): the watcher notices, stays alive
    _wait(lambda: not supervisor.service_up)
    assert supervisor.running
    assert reader.status().state is DeviceState.OFFLINE and "PC/SC" in reader.status().detail
    with pytest.raises(NoDocumentPresent):
        reader.read_document(0.1)
    rig.pcscd.start()
    _wait(lambda: supervisor.service_up and supervisor.restarts > before)
    assert reader.status().state is DeviceState.ONLINE
    reader.set_access_key(rig.passport.key)
    rig.insert()
    assert reader.read_document(10.0).name


def test_a_passport_left_on_the_reader_through_a_pcscd_restart_is_read_again(rig, reader):
    supervisor = reader._supervisor
    _wait(lambda: supervisor.service_up)
    before = supervisor.restarts
    reader.set_access_key(rig.passport.key)
    rig.insert()
    assert reader.read_document(10.0).name
    rig.pcscd.stop()  # with the passport still on the reader
    _wait(lambda: not supervisor.service_up)
    assert reader.status().state is DeviceState.OFFLINE
    rig.pcscd.start()
    _wait(lambda: supervisor.service_up and supervisor.restarts > before)
    assert reader.status().state is DeviceState.ONLINE
    # The passport still lies there: the new pcscd powers it up afresh (the emulator connects to
    # the new vpcd, as a chip is powered by the new daemon), and it reads as before.
    rig.card.insert()
    reader.set_access_key(rig.passport.key)
    assert reader.read_document(10.0).name


def test_close_stops_every_thread_that_watches_pcscd(rig, pcsc_watchers):
    reader = PcscPassportReader(reader_name=rig.reader_name, supervise_interval_s=30, allow_virtual_readers=True)
    reader.open()
    _wait(lambda: reader._supervisor.service_up)
    assert pcsc_watchers()
    reader.close()  # returns at once although the watcher waits up to 30 s: the wait is cancelled
    assert pcsc_watchers() == []


def test_a_connection_to_a_daemon_that_restarted_is_released_without_noise(rig):
    """pyscard's __del__ would raise from the garbage collector for a context of a pcscd that has
    since restarted, or for a connection whose constructor failed while pcscd was gone; the backend
    releases such connections itself, quietly."""
    import gc
    import sys

    from smartcard.System import readers

    from drivers.idcard.emrtd.pcsc import _create_connection, _release

    reader = next(r for r in readers() if rig.reader_name in str(r))
    connection = reader.createConnection()
    rig.pcscd.stop()
    unraisable = []
    previous, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        with pytest.raises(Exception, match="establish context"):
            _create_connection(reader)  # pcscd gone: pyscard's constructor fails half-way
        rig.pcscd.start()
        _release(connection)  # a context of the daemon before the restart
        del connection
        gc.collect()
    finally:
        sys.unraisablehook = previous
        if rig.pcscd.process is None:
            rig.pcscd.start()
    assert unraisable == []


def test_reader_name_substring_and_closed_reader(rig):
    other = PcscPassportReader(reader_name="No Such Reader")
    assert not other.is_usable()
    other.open()
    try:
        with pytest.raises(NoDocumentPresent):
            other.read_document(0.2)
        assert other.status().state is DeviceState.NO_DEVICE
    finally:
        other.close()
    with pytest.raises(DeviceNotOpen):
        other.read_document(0.1)


@pytest.mark.parametrize("options", [
    {"reader_name": "Virtual PCD"},                                  # named, but not allowed
    {"reader_name": "", "allow_virtual_readers": True},              # allowed, but not named
    {},                                                              # a terminal's defaults
], ids=["named-not-allowed", "allowed-not-named", "defaults"])
def test_a_virtual_reader_is_never_used_unless_allowed_and_named(rig, options):
    from drivers.idcard.pcsc_probe import is_virtual_reader, pick_reader

    refused = PcscPassportReader(poll_interval_s=0.05, **options)
    refused.open()
    try:
        refused.set_access_key(rig.passport.key)
        rig.insert()
        with pytest.raises(NoDocumentPresent):
            refused.read_document(1.0)  # the passport lies on vpcd's reader: not read
        assert not refused.is_usable() and refused.status().state is DeviceState.NO_DEVICE
    finally:
        refused.close()
        rig.remove()
    assert is_virtual_reader("Virtual PCD 00 01") and not is_virtual_reader("ACS ACR1281 1S Dual Reader PICC 00 00")
    assert pick_reader(["Virtual PCD 00 00", "ACS ACR1281 PICC 00 01"], "", True) == "ACS ACR1281 PICC 00 01"


def test_short_apdus_by_default_extended_when_allowed_and_announced(rig, reader):
    from drivers.idcard.emrtd.pcsc import atr_allows_extended
    from drivers.idcard.simulated.pcsc.card import make_atr

    assert atr_allows_extended(make_atr(True)) and not atr_allows_extended(make_atr(False))
    extended_passport = make_passport(extended=True, pki=rig.passport.pki)
    rig.insert(extended_passport)
    reader.set_access_key(rig.passport.key)
    reader.read_document(5.0)
    short_count = reader.last_apdus
    allowed = PcscPassportReader(reader_name="Virtual PCD 00 00", extended_length=True, poll_interval_s=0.05,
                                 allow_virtual_readers=True)
    allowed.open()
    try:
        allowed.set_access_key(rig.passport.key)
        assert allowed.read_document(5.0).name
        assert allowed.last_apdus < short_count
    finally:
        allowed.close()
