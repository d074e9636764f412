"""Privacy (issue 7): after a wipe nothing of the citizen is left in the UI.

The citizen walks the journey on the real QML (the sample resident ID card on the simulated
reader, a phone number and an address typed in); then the session ends by an idle timeout, by
"Finish", by "Cancel", or by the card being pulled off the reader mid-read. Afterwards every
property of every object reachable from the window (items, their QObject children, the
context's ``kiosk`` bridge and its snapshot, the voice) is read and searched for the citizen's
name, ID number, address, birth date and what they typed. Before the wipe the same search must
find them, so the search itself is proven to look in the right places.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject
from PySide6.QtQml import QJSValue

from drivers.idcard.simulated.samples import sample_identity

from .conftest import child_objects, release_meta

TYPED_PHONE = "13911112222"
TYPED_ADDRESS = "北京市朝阳区建国路88号"


def personal_data() -> list[str]:
    identity = sample_identity("resident_id")
    return [identity.name, identity.document_number, identity.address, identity.birth_date.isoformat(),
            identity.document_number[-6:], TYPED_PHONE, TYPED_ADDRESS]


def flatten(value: Any) -> Iterator[str]:
    if isinstance(value, QJSValue):
        value = value.toVariant()
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from flatten(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from flatten(item)
    elif value is not None:
        yield str(value)


def reachable_objects(kiosk: Any) -> list[QObject]:
    objects: dict[int, QObject] = {}
    for item in kiosk.items():
        objects[id(item)] = item
        for child in child_objects(item):
            objects[id(child)] = child
    for child in child_objects(kiosk.window):
        objects[id(child)] = child
    objects[id(kiosk.window)] = kiosk.window
    objects[id(kiosk.bridge)] = kiosk.bridge
    return list(objects.values())


def where_personal_data_is(kiosk: Any) -> list[str]:
    """'<object>.<property>: <needle>' for every property holding a piece of personal data."""
    needles = personal_data()
    found = []
    for obj in reachable_objects(kiosk):
        meta = obj.metaObject()
        for index in range(meta.propertyCount()):
            name = meta.property(index).name()
            try:
                # A QVariantMap read through property() costs PySide6 6.12 a reference to None
                # per None inside; the bridge's maps are Python properties, read as such.
                if meta.property(index).typeName() == "QVariantMap" and hasattr(obj, name):
                    value = getattr(obj, name)
                else:
                    value = obj.property(name)
            except Exception:
                continue
            for text in flatten(value):
                for needle in needles:
                    if needle in text:
                        found.append(f"{obj.objectName() or meta.className()}.{name}: {needle}")
        release_meta(meta)
    for text in flatten(kiosk.bridge.state):
        found += [f"snapshot: {needle}" for needle in needles if needle in text]
    return sorted(set(found))


def walk_to_review(kiosk: Any) -> None:
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.bridge.presentDemoDocument("resident_id")
    kiosk.wait_for_screen("face")
    kiosk.wait_until(lambda: kiosk.core.latest_frame() is not None)
    kiosk.tap("captureButton")
    kiosk.wait_until(lambda: kiosk.state["has_photo"])
    kiosk.tap("usePhotoButton")
    kiosk.wait_for_screen("form")
    kiosk.bridge.setFieldValue("residence_address", TYPED_ADDRESS)
    kiosk.type_into("field_phone", TYPED_PHONE)
    kiosk.wait_until(lambda: any(f["value"] == TYPED_PHONE for f in kiosk.state["form"]["fields"]))


@pytest.fixture
def private_kiosk(make_kiosk: Any, kiosk_config: Any) -> Any:
    # No demo buttons: their labels name the simulator's sample people on every identify screen.
    return make_kiosk(kiosk_config.with_overrides(ui={"demo_controls": False, "voice_engine": "mock"}))


def assert_wiped(kiosk: Any) -> None:
    kiosk.wait_for_screen("attract")
    kiosk.settle(0.3)
    assert kiosk.core.current_photo() is None and kiosk.core.latest_frame() is None
    assert where_personal_data_is(kiosk) == []


@pytest.mark.parametrize("ending", ["idle_timeout", "finish", "cancel"])
def test_nothing_personal_is_left_after_a_wipe(private_kiosk: Any, ending: str) -> None:
    kiosk = private_kiosk
    walk_to_review(kiosk)
    seen = where_personal_data_is(kiosk)
    assert any("snapshot" not in s for s in seen), seen  # the search finds the data on the screens
    assert {needle for s in seen for needle in personal_data() if s.endswith(needle)} >= set(personal_data()[:2])

    if ending == "idle_timeout":
        # The citizen walks away: move the journey's last touch into the past (the clock is
        # the core's own; waiting 120 s is not needed to see what the wipe leaves).
        journey = kiosk.core._runtime.journey
        kiosk.core._post(lambda: setattr(journey, "last_activity", journey.last_activity - 10_000), changed=False)
    elif ending == "finish":
        for field_id, value in (("residence_since", "2023-05-01"), ("basis", "residence"),
                                ("housing_type", "rented"), ("collection_method", "pickup"),
                                ("declaration", True)):
            kiosk.bridge.setFieldValue(field_id, value)
        kiosk.wait_until(lambda: kiosk.state["form"] and kiosk.state["form"]["complete"])
        kiosk.tap("completeFormButton")
        kiosk.wait_for_screen("review")
        kiosk.tap("consentCheckBox")
        kiosk.tap("submitButton")
        kiosk.wait_for_screen("done", timeout_ms=30_000)
        kiosk.tap("finishButton")
    else:
        while kiosk.state["screen"] != "attract":
            screen = kiosk.state["screen"]
            kiosk.tap("backButton")
            kiosk.wait_until(lambda left=screen: kiosk.state["screen"] != left)
    assert_wiped(kiosk)


def test_nothing_personal_is_left_when_the_card_is_pulled_mid_read(private_kiosk: Any) -> None:
    kiosk = private_kiosk
    kiosk.tap("service_residence_permit")
    kiosk.wait_for_screen("notice")
    kiosk.tap("acceptNoticeButton")
    kiosk.wait_for_screen("identify")
    kiosk.wait_until(lambda: kiosk.core.devices is not None)
    reader = kiosk.core.devices["id_reader"].driver
    # The identify step first looks whether a card lies there from before; place it after that.
    kiosk.wait_until(lambda: not kiosk.core._runtime.left_document.checking)
    # Pull the card while the simulated reader is in the middle of reading it: its read waits
    # (up to read_delay_s) for the card to stay; note when that wait has begun, then pull.
    reading = threading.Event()
    wait_for = reader._cond.wait_for

    def noting_wait_for(predicate: Any, timeout: float | None = None) -> Any:
        if timeout == reader._read_delay_s:
            reading.set()
        return wait_for(predicate, timeout)

    reader._read_delay_s = 30.0
    reader._cond.wait_for = noting_wait_for
    reader.present("resident_id")
    kiosk.wait_until(reading.is_set)
    reader.remove()
    kiosk.wait_until(lambda: kiosk.state["message"])
    assert kiosk.state["screen"] == "identify"
    assert where_personal_data_is(kiosk) == []
    kiosk.tap("backButton")
    kiosk.wait_for_screen("notice")
    kiosk.tap("backButton")
    assert_wiped(kiosk)


def test_nothing_personal_is_left_when_the_card_leaves_under_the_wipe_policy(
        make_kiosk: Any, kiosk_config: Any) -> None:
    """``journey.card_removal = "wipe"``: the citizen takes the card off the reader on the form."""
    kiosk = make_kiosk(kiosk_config.with_overrides(
        ui={"demo_controls": False, "voice_engine": "mock"}, journey={"card_removal": "wipe"}))
    walk_to_review(kiosk)
    assert where_personal_data_is(kiosk)  # the search finds the data on the form
    kiosk.core.devices["id_reader"].driver.remove()
    assert_wiped(kiosk)
