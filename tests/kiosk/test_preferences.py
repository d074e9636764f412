"""Session choices (elder mode, voice) and the no-time-pressure rules of the idle warning."""

from __future__ import annotations

import pytest

from kiosk.catalog import Catalog
from kiosk.config import ConfigError, KioskConfig, parse_config
from kiosk.core.journey import Journey, JourneyState, WipeReason
from kiosk.forms import FormSession
from kiosk.preferences import DEFAULTS, SessionPreferences


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_choices_are_recorded_and_reset() -> None:
    preferences = SessionPreferences()
    assert preferences.view() == DEFAULTS
    preferences.set("elder_mode", True, now=5.0)
    preferences.set("voice_muted", True, now=6.0)
    assert preferences.view() == {"elder_mode": True, "voice_muted": True}
    assert preferences.reset() is True
    assert preferences.view() == DEFAULTS
    assert preferences.reset() is False
    with pytest.raises(ValueError):
        preferences.set("font_size", True, now=7.0)


def test_choices_left_on_the_attract_screen_expire_after_the_idle_timeout() -> None:
    preferences = SessionPreferences()
    preferences.set("elder_mode", True, now=100.0)
    assert preferences.expire(now=200.0, last_touch=150.0, idle_timeout_s=120) is False  # still there
    assert preferences.expire(now=269.0, last_touch=150.0, idle_timeout_s=120) is False  # touched at 150
    assert preferences.expire(now=271.0, last_touch=150.0, idle_timeout_s=120) is True
    assert preferences.view() == DEFAULTS
    assert preferences.expire(now=1000.0, last_touch=0.0, idle_timeout_s=120) is False  # nothing to reset


def test_the_idle_warning_defaults_leave_time_and_one_touch_extends_it_again_and_again() -> None:
    timing = KioskConfig().journey
    assert timing.idle_warning_s >= 20 and timing.idle_timeout_s > timing.idle_warning_s
    clock = FakeClock()
    catalog = Catalog.load_bundled()
    journey = Journey(clock, lambda definition, identity: FormSession(definition, {}),
                      timing.idle_timeout_s, timing.idle_warning_s, timing.done_timeout_s)
    service = catalog.service("residence_permit")
    journey.service_chosen(service, catalog.form_for(service.id))
    for _ in range(12):  # WCAG 2.2.1: at least ten extensions, each by one simple action
        clock.now += timing.idle_timeout_s - 1
        left = journey.idle_seconds_left()
        assert left is not None and left >= 1  # the warning shows, with time left
        assert journey.tick() is None
        journey.touched()
        assert journey.idle_seconds_left() is None
    assert journey.state is JourneyState.NOTICE
    clock.now += timing.idle_timeout_s
    assert journey.tick() is WipeReason.IDLE_TIMEOUT


def test_an_idle_warning_shorter_than_20_seconds_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"journey": {"idle_warning_s": 10}})
    assert "journey.idle_warning_s" in str(caught.value)
