"""The lifecycle contract every device backend keeps, run over every backend name of every registry.

Real backends run against their far ends (:mod:`tests.drivers.backend_rigs`). What every backend
promises (``drivers.common.Device``): the constructor does no I/O; the status is OFFLINE while not
open; the verb before ``open`` or after ``close`` raises DeviceNotOpen; ``open`` and ``close`` are
idempotent and ``close`` is safe before ``open``; a fault surfaces as a DeviceError carrying an
ErrorAction, the status never raises, and the backend works again once the fault is mended; the
status reported through the owner thread follows OFFLINE → ready → OFFLINE. Each family's own
verbs are in its ``test_<family>_contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from drivers.common import (
    Device,
    DeviceError,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceWorker,
    ErrorAction,
    ScriptsFaults,
)
from tests.drivers.backend_rigs import (
    REGISTRIES,
    RIGS,
    SHARED_FAR_ENDS,
    Rig,
    built_backend,
    every_backend,
)

BACKENDS = sorted(every_backend())


@pytest.fixture(params=BACKENDS, ids=lambda p: f"{p[0]}-{p[1]}")
def backend(request, tmp_path) -> Iterator[tuple[Rig, Device]]:
    role, name = request.param
    request.param = name  # built_backend reads the backend name from the parameter
    yield from built_backend(request, role, tmp_path)


def test_every_backend_of_every_registry_has_a_rig():
    for role, registry in REGISTRIES.items():
        assert sorted(RIGS[role]) == registry.names(), role
    assert set(SHARED_FAR_ENDS) <= set(BACKENDS)


def test_constructor_does_no_io_and_status_is_offline(backend):
    _built, driver = backend
    assert driver.status().state is DeviceState.OFFLINE
    assert isinstance(driver.is_usable(), bool)


def test_the_verb_before_open_raises_device_not_open(backend):
    built, driver = backend
    driver.close()  # close before open is safe
    with pytest.raises(DeviceNotOpen) as info:
        built.exercise(driver)
    assert info.value.action is ErrorAction.SOFTWARE


def test_open_twice_close_twice_and_reopen(backend):
    built, driver = backend
    if not built.present:
        with pytest.raises(DeviceError):
            driver.open()
        assert not driver.status().is_ready
        return
    driver.open()
    driver.open()
    assert driver.status().is_ready
    built.exercise(driver)
    driver.close()
    driver.close()
    assert driver.status().state is DeviceState.OFFLINE
    with pytest.raises(DeviceNotOpen):
        built.exercise(driver)
    driver.open()
    built.exercise(driver)
    assert driver.info().family in {"idcard", "camera", "receipt_printer", "document_printer"}


def test_a_fault_is_a_device_error_and_is_survived(backend):
    built, driver = backend
    if not built.present:
        pytest.skip("no far end for this backend here (its closed-state contract ran above)")
    driver.open()
    built.exercise(driver)
    built.fault(driver)
    with pytest.raises(DeviceError) as info:
        built.exercise(driver)
    assert isinstance(info.value.action, ErrorAction)
    assert isinstance(driver.status(), DeviceStatus)  # the status never raises
    built.mend(driver)
    built.exercise(driver)
    assert driver.status().is_ready


def test_scripted_faults_are_named_and_checked(backend):
    _built, driver = backend
    if not isinstance(driver, ScriptsFaults):
        pytest.skip("not a simulated backend: its faults come from its far end (above)")
    assert driver.fault_kinds
    with pytest.raises(ValueError, match="unknown fault"):
        driver.script_fault("no-such-fault")
    with pytest.raises(ValueError):
        driver.script_fault(driver.fault_kinds[0], 0)


def test_status_changes_seen_through_the_owner_thread(backend):
    built, driver = backend
    if not built.present:
        pytest.skip("no far end for this backend here")
    worker = DeviceWorker(f"lifecycle-{built.backend}")
    seen: list[DeviceState] = []

    def note(_: Any = None) -> None:
        state = driver.status().state
        if not seen or seen[-1] is not state:
            seen.append(state)

    try:
        worker.call(note)
        worker.call(driver.open)
        worker.call(note)
        worker.call(built.exercise, driver)
        worker.call(note)
        worker.call(driver.close)
        worker.call(note)
    finally:
        worker.stop()
    assert seen == [DeviceState.OFFLINE, DeviceState.ONLINE, DeviceState.OFFLINE]
