"""The ID reader family's own verbs over every backend (the simulated reader, sam and
sam_simulated against the SAM device on a pty, pcsc against pcscd + vpcd + our chip, multi),
and the simulated reader's faults. The lifecycle every backend shares: test_device_lifecycle.py."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from drivers.common import (
    DeviceError,
    DeviceIOError,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    DeviceWorker,
    ErrorAction,
    NoDocumentPresent,
    ProtocolError,
)
from drivers.idcard import (
    DocumentType,
    Identity,
    IdReader,
    Sex,
    SimulatedIdReader,
    gb11643,
    id_reader_backends,
)
from drivers.idcard.simulated.sam_device import SimulatedSamDevice

ALL_DOCUMENTS = ["resident_id", "passport", "hmt_permit"]


def simulated_reader(request=None) -> SimulatedIdReader:
    return id_reader_backends.create("simulated", documents=ALL_DOCUMENTS, read_delay_s=0)


def sam_reader_on_pty(request) -> IdReader:
    """The real ``sam`` backend over a pty, with the shipped SAM simulator on the far end."""
    return id_reader_backends.create("sam_simulated", poll_interval_s=0.005)


def sam_reader(request) -> IdReader:
    """The real ``sam`` backend on a pty, the SAM device simulator on the master side (presence
    asked with "find card", which the simulator answers for a card left lying there)."""
    simulator = SimulatedSamDevice()
    simulator.start()
    request.addfinalizer(simulator.stop)
    reader = id_reader_backends.create("sam", port=simulator.port, poll_interval_s=0.005, presence_by_find=True)
    reader.present = simulator.present
    reader.remove = simulator.remove
    return reader


def pcsc_reader(request) -> IdReader:
    """The real ``pcsc`` backend: pyscard → pcscd → vpcd → emulator; the key typed in advance."""
    rig = request.getfixturevalue("rig")
    request.addfinalizer(rig.remove)
    reader = id_reader_backends.create("pcsc", reader_name=rig.reader_name, allow_virtual_readers=True,
                                       poll_interval_s=0.05, supervise_interval_s=0.5)

    def present(key: str) -> None:
        assert key == "passport"
        reader.set_access_key(rig.passport.key)
        rig.insert()

    reader.present = present
    reader.remove = rig.remove
    return reader


def multi_reader(request) -> IdReader:
    """A SAM reader (pty + simulator) and a passport reader behind one ``multi`` reader."""
    return id_reader_backends.create("multi", readers=[
        {"backend": "sam_simulated", "options": {"documents": ["resident_id"], "poll_interval_s": 0.005}},
        {"backend": "simulated", "options": {"documents": ["passport"], "read_delay_s": 0}},
    ], slice_s=0.02)


#: backend → (factory, the documents it can read).
BACKENDS = {
    "simulated": (simulated_reader, ALL_DOCUMENTS),
    "sam_simulated": (sam_reader_on_pty, ["resident_id", "hmt_permit"]),
    "sam": (sam_reader, ["resident_id", "hmt_permit"]),
    "pcsc": (pcsc_reader, ["passport"]),
    "multi": (multi_reader, ["resident_id", "passport"]),
}


@pytest.fixture(params=sorted(BACKENDS))
def reader(request):
    factory, documents = BACKENDS[request.param]
    reader = factory(request)
    reader.contract_documents = documents
    yield reader
    reader.close()


def place_document(reader: IdReader, key: str) -> None:
    """The only backend-specific step: get a document onto the reader."""
    reader.present(key)


def wait_until_present_is(reader: IdReader, expected: bool) -> None:
    """Ask until the reader reports ``expected`` (pcscd sees vpcd changes on its next poll); a
    bound on waiting, not a timing assertion."""
    deadline = time.monotonic() + 15
    while reader.document_present() is not expected:
        assert time.monotonic() < deadline, f"document_present() never became {expected}"
        time.sleep(0.05)


# -- the contract ------------------------------------------------------------------------------


def test_is_an_id_reader_and_constructor_does_no_io(reader):
    assert isinstance(reader, IdReader)
    assert reader.status().state is DeviceState.OFFLINE
    assert isinstance(reader.is_usable(), bool)


def test_read_before_open_raises(reader):
    with pytest.raises(DeviceNotOpen):
        reader.read_document(0.01)


def test_lifecycle_is_idempotent(reader):
    reader.open()
    reader.open()
    assert reader.status() == DeviceStatus(DeviceState.ONLINE)
    info = reader.info()
    assert info.family == "idcard" and info.model
    reader.close()
    reader.close()
    assert reader.status().state is DeviceState.OFFLINE
    with pytest.raises(DeviceNotOpen):
        reader.read_document(0.01)


def test_no_document_raises_no_document_present(reader):
    reader.open()
    with pytest.raises(NoDocumentPresent):
        reader.read_document(0.01)
    assert reader.status().state is DeviceState.ONLINE


def test_reads_every_document_it_offers(reader):
    reader.open()
    for key in reader.contract_documents:
        place_document(reader, key)
        check_identity(reader.read_document(5.0))


def test_document_present_follows_the_document(reader):
    with pytest.raises(DeviceNotOpen):
        reader.document_present()
    reader.open()
    wait_until_present_is(reader, False)
    key = reader.contract_documents[0]
    place_document(reader, key)
    check_identity(reader.read_document(5.0))
    # Still lying there after the read: a card handed back is not mistaken for a removal.
    assert reader.document_present() is True
    assert reader.document_present() is True
    reader.remove()
    wait_until_present_is(reader, False)
    place_document(reader, key)
    wait_until_present_is(reader, True)


def check_identity(identity):
    assert isinstance(identity, Identity)
    assert identity.name and identity.document_number
    assert isinstance(identity.sex, Sex) and isinstance(identity.birth_date, dt.date)
    assert len(identity.nationality) == 3 and identity.nationality.isupper()
    if identity.photo_jpeg is None:
        assert identity.photo_missing_reason
    else:
        assert identity.photo_jpeg[:3] == b"\xff\xd8\xff"


def test_identity_repr_hides_personal_data(reader):
    reader.open()
    place_document(reader, reader.contract_documents[0])
    identity = reader.read_document(5.0)
    for text in (repr(identity), str(identity), identity.redacted(), repr([identity])):
        assert identity.name not in text and identity.document_number not in text
        assert identity.document_number[-4:] not in text
    assert identity.redacted() == f"<{identity.document_type.value}>"


def test_read_from_owner_thread_wakes_when_document_is_placed(reader):
    """A read blocks on the worker thread; presenting from another thread wakes it."""
    worker = DeviceWorker("idcard-test")
    try:
        worker.call(reader.open)
        future = worker.submit(reader.read_document, 60.0)
        key = reader.contract_documents[-1]
        place_document(reader, key)
        identity = future.result(timeout=60)
        assert identity.document_type.value.startswith(key.split("_")[0][:3])
        worker.call(reader.close)
    finally:
        worker.stop()


# -- the simulator's samples and faults --------------------------------------------------------


def test_sample_documents_are_realistic():
    reader = simulated_reader()
    reader.open()
    identities = {}
    for key, label in reader.available_documents():
        assert label
        reader.present(key)
        identities[key] = reader.read_document(1.0)
    resident = identities["resident_id"]
    assert resident.document_type is DocumentType.RESIDENT_ID
    gb11643.validate(resident.document_number)
    assert gb11643.birth_date(resident.document_number) == resident.birth_date
    assert gb11643.is_male(resident.document_number) == (resident.sex is Sex.MALE)
    assert resident.ethnicity == "汉" and "省" in (resident.address or "")
    assert resident.valid_until and resident.valid_from and resident.valid_from < resident.valid_until
    permit = identities["hmt_permit"]
    gb11643.validate(permit.document_number)
    assert permit.document_number[:2] in {"81", "82", "83"}
    assert permit.photo_jpeg is None and permit.photo_missing_reason
    passport = identities["passport"]
    assert passport.document_type is DocumentType.PASSPORT and passport.name_latin
    assert passport.photo_jpeg is not None


def test_default_documents_follow_the_contract():
    reader = SimulatedIdReader()
    assert [key for key, _ in reader.available_documents()] == ["resident_id", "passport"]
    with pytest.raises(ValueError, match="not offered"):
        reader.present("hmt_permit")


def test_bad_options_are_clear_errors():
    with pytest.raises(ValueError, match="unknown sample documents"):
        SimulatedIdReader(documents=["driving_licence"])
    with pytest.raises(ValueError):
        SimulatedIdReader(read_delay_s=-1)


def test_document_stays_until_removed():
    reader = simulated_reader()
    reader.open()
    reader.present("resident_id")
    assert reader.read_document(0.01).document_type is DocumentType.RESIDENT_ID
    assert reader.read_document(0.01).document_type is DocumentType.RESIDENT_ID
    reader.remove()
    with pytest.raises(NoDocumentPresent):
        reader.read_document(0.01)


@pytest.mark.parametrize(
    "kind, error, action",
    [
        ("no_document", NoDocumentPresent, ErrorAction.NONE),
        ("timeout", DeviceTimeout, ErrorAction.RESET),
        ("io_error", DeviceIOError, ErrorAction.RESET),
        ("unreadable", ProtocolError, ErrorAction.RESET),
        ("not_authorised", DeviceError, ErrorAction.MAINTENANCE),
    ],
)
def test_scripted_faults(kind, error, action):
    reader = simulated_reader()
    reader.open()
    reader.present("resident_id")
    reader.script_fault(kind, count=2)
    for _ in range(2):
        with pytest.raises(error) as info:
            reader.read_document(1.0)
        assert info.value.action is action
    assert reader.read_document(1.0).document_type is DocumentType.RESIDENT_ID
    assert reader.status().state is DeviceState.ONLINE


def test_unknown_fault_is_refused():
    with pytest.raises(ValueError, match="known faults"):
        simulated_reader().script_fault("fire")


def test_removing_the_card_mid_read_fails_the_read():
    reader = SimulatedIdReader(documents=["resident_id"], read_delay_s=60)
    reader.open()
    reader.present("resident_id")
    result: list[BaseException] = []

    def read() -> None:
        try:
            reader.read_document(60.0)
        except BaseException as exc:
            result.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    # Pull and replace the card until the read notices: whichever moment the read has reached,
    # it either sees a card (then enters the 60 s read) or waits for one; a pull mid-read ends it.
    while thread.is_alive():
        reader.remove()
        thread.join(0.01)
        if thread.is_alive():
            reader.present("resident_id")
            thread.join(0.01)
    assert isinstance(result[0], DeviceIOError)


def test_every_backend_here_reports_presence(reader):
    """The kiosk's left-document guard trusts document_present() only where this is true."""
    assert reader.reports_presence is True


def test_readers_that_cannot_tell_say_so():
    assert IdReader.reports_presence is False  # the default answer of document_present() is a guess
    assert id_reader_backends.create("sam", port="socket://127.0.0.1:9").reports_presence is False
    assert id_reader_backends.create("sam", port="socket://127.0.0.1:9", presence_by_find=True).reports_presence
    mixed = id_reader_backends.create("multi", readers=[
        {"backend": "sam", "options": {"port": "socket://127.0.0.1:9"}},
        {"backend": "simulated", "options": {}}])
    assert mixed.reports_presence is False


def test_the_simulated_citizen_leaves_the_card_or_takes_it_back():
    reader = id_reader_backends.create("simulated", read_delay_s=0)
    reader.open()
    reader.present("resident_id")
    check_identity(reader.read_document(1.0))
    assert reader.document_present() is True  # left lying on the reader by default
    reader.script_take_back(0.0)
    reader.present("passport")
    check_identity(reader.read_document(1.0))
    wait_until_present_is(reader, False)  # taken back after the read
    with pytest.raises(ValueError):
        id_reader_backends.create("simulated", take_back_s=-1)
    reader.close()
