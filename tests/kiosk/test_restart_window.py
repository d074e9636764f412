"""The nightly restart window: inside the window, on a quiet attract screen, once a night."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk import events as ev
from kiosk.config import ConfigError, KioskConfig
from kiosk.restart_window import (
    QUIET_BEFORE_RESTART_S,
    RESTART_EXIT_CODE,
    RestartPlanner,
    RestartWindow,
    check_window,
)

EVENING = datetime(2026, 11, 26, 18, 0)


@pytest.fixture(scope="module")
def demo(offline_terminal):
    """Nothing here is about sync: the core runs without a central server."""
    return offline_terminal


class WallClock:
    """An injectable local clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def at(hour: int, minute: int = 0, day: int = 27) -> datetime:
    return datetime(2026, 11, day, hour, minute)


def test_restarts_inside_the_window_on_a_quiet_attract_screen() -> None:
    window = RestartWindow.parse("03:00-04:00", EVENING)
    assert window.due(at(3, 10), on_attract=True, untouched_s=QUIET_BEFORE_RESTART_S)
    assert not window.due(at(2, 59), on_attract=True, untouched_s=3600)
    assert not window.due(at(4, 0), on_attract=True, untouched_s=3600)


def test_never_during_a_session_or_after_a_recent_touch() -> None:
    window = RestartWindow.parse("03:00-04:00", EVENING)
    assert not window.due(at(3, 10), on_attract=False, untouched_s=3600)
    assert not window.due(at(3, 10), on_attract=True, untouched_s=QUIET_BEFORE_RESTART_S - 1)


def test_a_process_started_inside_tonights_window_does_not_restart_again() -> None:
    # The restarted process (or one restarted after a crash at 03:20) is fresh already.
    window = RestartWindow.parse("03:00-04:00", at(3, 1))
    assert not window.due(at(3, 30), on_attract=True, untouched_s=3600)
    # ... but it does the next night.
    assert window.due(at(3, 30, day=28), on_attract=True, untouched_s=3600)


def test_a_window_across_midnight() -> None:
    window = RestartWindow.parse("23:30-00:30", EVENING)
    assert window.opened_at(at(0, 10)) == datetime(2026, 11, 26, 23, 30)
    assert window.due(datetime(2026, 11, 26, 23, 45), on_attract=True, untouched_s=60)
    assert window.due(at(0, 10), on_attract=True, untouched_s=60)
    assert not window.due(at(0, 30), on_attract=True, untouched_s=60)
    assert not window.due(datetime(2026, 11, 26, 23, 29), on_attract=True, untouched_s=60)


def test_the_planner_says_yes_once_and_an_empty_window_never() -> None:
    clock = WallClock(EVENING)
    planner = RestartPlanner.from_config("03:00-04:00", clock)
    assert not planner.check(True, 3600)
    clock.now = at(3, 5)
    assert planner.check(True, 3600)
    assert not planner.check(True, 3600)
    never = RestartPlanner.from_config("", clock)
    assert never.window is None and not never.check(True, 3600)


@pytest.mark.parametrize("value", ["3:00-4:00", "03:00", "24:00-01:00", "03:00-03:00", "03:00-04:60", " 03:00-04:00"])
def test_bad_windows_are_refused_by_the_configuration(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        KioskConfig().with_overrides(terminal={"restart_window": value})
    assert caught.value.problems[0].startswith("terminal.restart_window:")


@given(st.text(max_size=14))
def test_any_string_is_refused_with_a_reason_or_parses(value: str) -> None:
    problem = check_window(value)
    if problem is None:
        window = RestartWindow.parse(value, EVENING)
        assert (window is None) == (value == "")
    else:
        with pytest.raises(ValueError):
            RestartWindow.parse(value, EVENING)


@given(st.integers(0, 23 * 60 + 59), st.integers(1, 24 * 60 - 1), st.integers(0, 3 * 24 * 60))
def test_generated_windows_hold_exactly_their_minutes(start: int, length: int, offset: int) -> None:
    end = (start + length) % (24 * 60)
    value = f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
    assert check_window(value) is None
    window = RestartWindow.parse(value, datetime(2026, 1, 1))
    now = datetime(2026, 1, 2) + timedelta(minutes=offset)
    minute_of_day = now.hour * 60 + now.minute
    inside = (minute_of_day - start) % (24 * 60) < length
    assert (window.opened_at(now) is not None) == inside


def test_the_core_asks_on_its_clock_ticks_and_never_during_a_session(start_core: Any) -> None:
    monotonic = [1000.0]
    wall = WallClock(EVENING)
    planner = RestartPlanner.from_config("03:00-04:00", wall)
    driver = start_core(clock=lambda: monotonic[0], restart_planner=planner)
    core = driver.core
    core.choose_service("residence_permit")
    driver.wait_screen("notice")
    wall.now = at(3, 5)
    monotonic[0] += 30  # inside the window, but a citizen is reading the notice
    core._post(core._runtime.tick, changed=False).result()
    assert ev.RESTART_DUE not in driver.event_names()
    core.finish()
    driver.wait_screen("attract")
    core._post(core._runtime.tick, changed=False).result()  # just back at the start: not quiet yet
    assert ev.RESTART_DUE not in driver.event_names()
    monotonic[0] += QUIET_BEFORE_RESTART_S
    core._post(core._runtime.tick, changed=False).result()
    due = [event for event in driver.events if event.name == ev.RESTART_DUE]
    assert len(due) == 1 and due[0].data == {"exit_code": RESTART_EXIT_CODE}


def test_the_nightly_restart_waits_while_staff_are_in_maintenance(start_core: Any, tmp_path) -> None:
    from kiosk.maintenance import MaintenanceService
    from kiosk.staff import StaffStore

    monotonic = [1000.0]
    wall = WallClock(EVENING)
    planner = RestartPlanner.from_config("03:00-04:00", wall)
    driver = start_core(clock=lambda: monotonic[0], restart_planner=planner)
    core = driver.core
    wall.now = at(3, 5)
    service = MaintenanceService(core, staff=StaffStore(tmp_path / "staff"),
                                 media_root=tmp_path / "media")
    try:
        service.request_entry().result()  # the PIN pad is open on the attract screen
        monotonic[0] += QUIET_BEFORE_RESTART_S + 1
        core._post(core._runtime.tick, changed=False).result()
        assert ev.RESTART_DUE not in driver.event_names()
        service.cancel_entry().result()
        core._post(core._runtime.tick, changed=False).result()
        assert ev.RESTART_DUE in driver.event_names()
    finally:
        service.stop()


def test_a_switched_version_starts_at_the_first_quiet_moment_window_or_not(tmp_path) -> None:
    from kiosk.releases import Installation, SwitchWatch
    from tests.update_builds import make_build

    installation = Installation(tmp_path / "opt")
    installation.adopt(make_build(tmp_path / "a", "1.0"), "1.0")
    watch = SwitchWatch(installation.root)
    planner = RestartPlanner.from_config("03:00-04:00", WallClock(EVENING), watch.switched)
    assert not planner.check(True, 3600)  # nothing new installed
    installation.adopt(make_build(tmp_path / "b", "1.1"), "1.1")  # an update was switched to
    assert not planner.check(False, 3600)  # a citizen is being served
    assert not planner.check(True, QUIET_BEFORE_RESTART_S - 1)  # just back at the start
    assert planner.check(True, QUIET_BEFORE_RESTART_S)  # in the evening, outside the window
    assert not planner.check(True, 3600)  # once
