"""The shared device model: states, errors, registry, fault scripts and the owner thread."""

from __future__ import annotations

import threading
from concurrent.futures import TimeoutError as FutureTimeout

import pytest

from drivers.common import (
    BackendRegistry,
    DeviceBusy,
    DeviceError,
    DeviceIOError,
    DeviceNotFound,
    DeviceNotOpen,
    DeviceState,
    DeviceStatus,
    DeviceTimeout,
    DeviceUserError,
    DeviceWorker,
    ErrorAction,
    FaultScript,
    NoDocumentPresent,
    ProtocolError,
)


def test_enums_are_lower_case_strings():
    assert {s.value for s in DeviceState} == {
        "online", "offline", "no_device", "hardware_error", "user_error", "busy", "starting"
    }
    assert DeviceState.ONLINE == "online"
    assert str(ErrorAction.CLEAR) == "clear"
    assert {a.name for a in ErrorAction} == {
        "NONE", "RESET", "CLEAR", "MAINTENANCE", "CONFIGURATION", "SOFTWARE", "SUSPEND"
    }


def test_status_defaults_and_is_frozen():
    status = DeviceStatus(DeviceState.ONLINE)
    assert status.action is ErrorAction.NONE and status.detail == "" and status.is_ready
    assert not DeviceStatus(DeviceState.USER_ERROR, ErrorAction.CLEAR).is_ready
    with pytest.raises(AttributeError):
        status.state = DeviceState.OFFLINE  # type: ignore[misc]


@pytest.mark.parametrize(
    "cls, action",
    [
        (DeviceNotFound, ErrorAction.CONFIGURATION),
        (DeviceNotOpen, ErrorAction.SOFTWARE),
        (DeviceTimeout, ErrorAction.RESET),
        (DeviceIOError, ErrorAction.RESET),
        (DeviceBusy, ErrorAction.NONE),
        (ProtocolError, ErrorAction.RESET),
        (DeviceUserError, ErrorAction.CLEAR),
        (NoDocumentPresent, ErrorAction.NONE),
    ],
)
def test_exception_tree_and_default_actions(cls, action):
    error = cls("message")
    assert isinstance(error, DeviceError)
    assert error.action is action
    assert cls("m", ErrorAction.SUSPEND).action is ErrorAction.SUSPEND
    assert "message" in str(error)


def test_no_document_is_a_user_error():
    assert issubclass(NoDocumentPresent, DeviceUserError)


class _Thing:
    def __init__(self, colour: str = "red", size: int = 1) -> None:
        self.colour, self.size = colour, size


def test_registry_registers_and_creates():
    registry: BackendRegistry[_Thing] = BackendRegistry("thing")
    registry.register("plain")(_Thing)
    created = registry.create("plain", colour="blue")
    assert isinstance(created, _Thing) and created.colour == "blue"
    assert registry.names() == ["plain"] and "plain" in registry


def test_registry_unknown_name_lists_known_names():
    registry: BackendRegistry[_Thing] = BackendRegistry("thing")
    registry.register("b")(_Thing)
    registry.register("a")(_Thing)
    with pytest.raises(ValueError, match=r"unknown thing backend 'zzz'; known backends: a, b"):
        registry.create("zzz")


def test_registry_bad_option_names_accepted_options():
    registry: BackendRegistry[_Thing] = BackendRegistry("thing")
    registry.register("plain")(_Thing)
    with pytest.raises(ValueError, match="accepted options: colour, size"):
        registry.create("plain", shape="round")


def test_registry_refuses_duplicates():
    registry: BackendRegistry[_Thing] = BackendRegistry("thing")
    registry.register("plain")(_Thing)
    with pytest.raises(ValueError, match="already registered"):
        registry.register("plain")(_Thing)


def test_fault_script_counts_and_validates():
    faults = FaultScript(["a", "b"])
    faults.add("b", 2)
    assert faults.pending() == "b"
    assert faults.take() == "b" and faults.take("a") is None and faults.take() == "b"
    assert faults.take() is None
    with pytest.raises(ValueError, match="known faults: a, b"):
        faults.add("c")
    with pytest.raises(ValueError):
        faults.add("a", 0)
    faults.add("a")
    faults.clear()
    assert faults.pending() is None


def test_worker_runs_everything_on_one_thread():
    worker = DeviceWorker("test")
    seen: set[int] = set()
    lock = threading.Lock()

    def record() -> str:
        with lock:
            seen.add(threading.get_ident())
        return threading.current_thread().name

    callers = [threading.Thread(target=lambda: [worker.call(record) for _ in range(20)]) for _ in range(4)]
    for caller in callers:
        caller.start()
    futures = [worker.submit(record) for _ in range(20)]
    for caller in callers:
        caller.join()
    names = {future.result() for future in futures}
    worker.stop()
    assert len(seen) == 1 and threading.get_ident() not in seen
    assert len(names) == 1 and names.pop().startswith("device-test")


def test_worker_knows_its_thread_and_call_is_reentrant():
    worker = DeviceWorker("reentrant")
    assert not worker.is_current_thread()
    assert worker.call(worker.is_current_thread) is True
    # call() from the owner thread runs inline instead of deadlocking on itself.
    assert worker.call(lambda: worker.call(lambda: 42)) == 42
    worker.stop()


def test_worker_propagates_errors_and_passes_kwargs():
    worker = DeviceWorker("errors")

    def fail(kind: str) -> None:
        raise DeviceTimeout(kind)

    with pytest.raises(DeviceTimeout, match="slow"):
        worker.call(fail, kind="slow")
    assert worker.submit(lambda a, b=0: a + b, 1, b=2).result() == 3
    worker.stop()


def test_worker_call_timeout_and_stop():
    worker = DeviceWorker("stop")
    release = threading.Event()
    with pytest.raises(FutureTimeout):
        worker.call(release.wait, timeout=0.01)
    release.set()
    worker.stop(wait=True)
    with pytest.raises(RuntimeError, match="stopped"):
        worker.submit(print)
    assert repr(worker) == "DeviceWorker('stop')"
