"""Staff PINs: hashed records, a persisted lockout with growing delays, and ``kioskctl staff``."""

from __future__ import annotations

import contextlib
import io
import json
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.staff import (
    FIRST_LOCK_S,
    FREE_FAILURES,
    MAX_LOCK_S,
    StaffError,
    StaffStore,
    lock_duration,
)


class FakeClock:
    """Wall time that only moves when a test says so."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> StaffStore:
    staff = StaffStore(tmp_path, clock=clock)
    staff.add("s001", "Wang Li", "135790")
    staff.add("s002", "Zhao Min", "246802")
    return staff


def test_pins_are_stored_hashed_with_a_salt_each_in_a_private_file(store: StaffStore) -> None:
    text = store.path.read_text()
    assert "135790" not in text and "246802" not in text
    records = json.loads(text)["staff"]
    assert len({r["salt"] for r in records}) == 2
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert [m.staff_id for m in store.members()] == ["s001", "s002"]


def test_the_right_pin_signs_in_its_owner(store: StaffStore) -> None:
    assert store.verify("246802").staff.staff_id == "s002"
    assert store.verify("135790").staff.name == "Wang Li"


@pytest.mark.parametrize("pin", ["12345", "abcdef", "１２３４５６", ""])
def test_short_or_non_digit_pins_are_refused(tmp_path: Path, pin: str) -> None:
    with pytest.raises(StaffError):
        StaffStore(tmp_path).add("s1", "A", pin)


def test_two_staff_cannot_share_a_pin(store: StaffStore) -> None:
    with pytest.raises(StaffError, match="already has this PIN"):
        store.add("s003", "Sun Jie", "135790")
    store.add("s001", "Wang Li", "135791")  # changing one's own PIN is fine
    assert store.verify("135791").staff.staff_id == "s001"


def test_remove(store: StaffStore) -> None:
    store.remove("s001")
    assert store.verify("135790").staff is None
    with pytest.raises(StaffError):
        store.remove("s001")


def test_delays_grow_and_are_capped() -> None:
    assert [lock_duration(n) for n in range(FREE_FAILURES)] == [0.0] * FREE_FAILURES
    assert lock_duration(5) == FIRST_LOCK_S == 30
    assert lock_duration(6) == 60 and lock_duration(7) == 120
    assert lock_duration(50) == MAX_LOCK_S


def test_five_wrong_pins_lock_with_growing_delays_that_survive_a_restart(
        tmp_path: Path, store: StaffStore, clock: FakeClock) -> None:
    for left in (4, 3, 2, 1):
        outcome = store.verify("000000")
        assert outcome.staff is None and outcome.locked_s == 0 and outcome.attempts_left == left
    fifth = store.verify("000000")
    assert fifth.locked_s == 30
    # Even the right PIN is not checked while locked.
    refused = store.verify("135790")
    assert refused.refused and refused.staff is None and refused.locked_s == 30

    restarted = StaffStore(tmp_path, clock=clock)  # a new process, same file
    assert restarted.locked_for() == 30
    clock.now += 30
    assert restarted.locked_for() == 0
    assert restarted.verify("000001").locked_s == 60
    clock.now += 60
    assert restarted.verify("000002").locked_s == 120
    clock.now += 120
    # The right PIN after the lock ends signs in and resets the count.
    assert restarted.verify("135790").staff.staff_id == "s001"
    assert restarted.verify("000000").attempts_left == FREE_FAILURES - 1


def test_a_clock_set_back_does_not_lock_longer_than_the_cap(store: StaffStore, clock: FakeClock) -> None:
    for _ in range(FREE_FAILURES):
        store.verify("000000")
    clock.now -= 10 * 86400
    assert store.locked_for() == MAX_LOCK_S


def test_kioskctl_staff_add_list_remove(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.cli import main

    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    monkeypatch.setattr("sys.stdin", io.StringIO("864200\n864200\n"))
    assert main(["--config", str(config), "staff", "add", "s9", "--name", "Li Na"]) == 0
    assert main(["--config", str(config), "staff", "list"]) == 0
    out = capsys.readouterr().out
    assert "s9" in out and "Li Na" in out and "864200" not in out
    assert StaffStore(tmp_path / "data").verify("864200").staff.staff_id == "s9"

    monkeypatch.setattr("sys.stdin", io.StringIO("864200\n864201\n"))
    assert main(["--config", str(config), "staff", "add", "s10", "--name", "Xu"]) == 1
    assert "do not match" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("1234\n1234\n"))
    assert main(["--config", str(config), "staff", "add", "s10", "--name", "Xu"]) == 1

    assert main(["--config", str(config), "staff", "remove", "s9"]) == 0
    assert StaffStore(tmp_path / "data").members() == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"staff": st.lists(st.dictionaries(
        st.sampled_from(["id", "name", "salt", "hash", "created"]), json_values, max_size=5), max_size=3),
        "failures": json_values, "locked_until": json_values}).map(lambda v: json.dumps(v).encode())))
def test_a_damaged_staff_file_is_a_staff_error_never_a_crash(tmp_path: Path, content: bytes) -> None:
    store = StaffStore(tmp_path)
    store.path.write_bytes(content)
    for probe in (lambda: store.verify("123456"), store.members, store.locked_for):
        with contextlib.suppress(StaffError):
            probe()
