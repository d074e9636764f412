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
#: Backends with a far end on this machine: the ones a fault can be injected into and mended.
WITH_FAR_END = [(role, name) for role, name in BACKENDS if RIGS[role][name].present]
#: The simulated backends (one word for every fake): their faults are scripted.
SIMULATED = [(role, name) for role, name in BACKENDS if "simulated" in name]


def _built(request, tmp_path) -> Iterator[tuple[Rig, Device]]:
    role, name = request.param
    request.param = name  # built_backend reads the backend name from the parameter
    yield from built_backend(request, role, tmp_path)


def _ids(param: tuple[str, str]) -> str:
    return f"{param[0]}-{param[1]}"


@pytest.fixture(params=BACKENDS, ids=_ids)
def backend(request, tmp_path) -> Iterator[tuple[Rig, Device]]:
    yield from _built(request, tmp_path)


@pytest.fixture(params=WITH_FAR_END, ids=_ids)
def reachable_backend(request, tmp_path) -> Iterator[tuple[Rig, Device]]:
    yield from _built(request, tmp_path)


@pytest.fixture(params=SIMULATED, ids=_ids)
def simulated_backend(request, tmp_path) -> Iterator[tuple[Rig, Device]]:
    yield from _built(request, tmp_path)


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
    assert driver.info().family in {"idcard", "camera", "document_camera", "code_scanner", "receipt_printer",
                                    "document_printer"}


def test_a_fault_is_a_device_error_and_is_survived(reachable_backend):
    built, driver = reachable_backend
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


def test_scripted_faults_are_named_and_checked(simulated_backend):
    _built, driver = simulated_backend
    assert isinstance(driver, ScriptsFaults)
    assert driver.fault_kinds
    with pytest.raises(ValueError, match="unknown fault"):
        driver.script_fault("no-such-fault")
    with pytest.raises(ValueError):
        driver.script_fault(driver.fault_kinds[0], 0)


def test_status_changes_seen_through_the_owner_thread(reachable_backend):
    built, driver = reachable_backend
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
