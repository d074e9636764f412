"""Bounded work on bad form definitions: ``regex()`` patterns that backtrack catastrophically.

A pattern check at load time cannot see every such pattern (overlapping alternation passes it),
so every match has a time limit; a match that runs out of time is a form-definition error that
skips the rule, keeps the answer and never holds the citizen on the field.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.forms import FormSession, load_form
from kiosk.forms.expr import Env, ExpressionError, RegexTimedOut, parse

TODAY = dt.date(2025, 3, 1)
#: On a run of a's followed by "ba", backtracks through every way of splitting the run into 1-, 2-
#: and 3-letter pieces: tribonacci(60) ~ 10**15 paths, so no backtracking engine finishes it.
HOSTILE = "(?:a|aa|aaa)*b"
HOSTILE_TEXT = "a" * 60 + "ba"


def _match(pattern: str, text: str) -> object:
    return parse(f"regex(., '{pattern}')").evaluate(Env({}, text, TODAY))


@pytest.mark.timeout(60)  # the old engine took 0.27 s at 22 characters, doubling per character
def test_overlapping_alternation_passes_the_load_check_and_still_ends() -> None:
    # Before: re.fullmatch ran 2**40 steps on the journey thread for this.
    with contextlib.suppress(RegexTimedOut):
        assert _match("(a|a)*c", "a" * 40) is False


@pytest.mark.timeout(60)
def test_a_match_that_runs_out_of_time_is_a_definition_error_and_is_not_run_again() -> None:
    with pytest.raises(RegexTimedOut, match="form-definition error") as first:
        _match(HOSTILE, HOSTILE_TEXT)
    assert isinstance(first.value, ExpressionError)
    assert "aaaa" not in first.value.message  # names the pattern, never the answer
    with pytest.raises(RegexTimedOut):  # remembered: the next evaluation does not run it at all
        _match(HOSTILE, "b")


def _form(pattern: str) -> dict[str, object]:
    label = {"zh-CN": "代码", "en": "Code"}
    return {"id": "bounded_form", "version": 3, "title": {"zh-CN": "表", "en": "Form"},
            "fields": [{"id": "code", "type": "text", "label": label, "required": True,
                        "constraint": f"regex(., '{pattern}')",
                        "constraint_message": {"zh-CN": "格式不对", "en": "Wrong format"}}],
            "print_layout": {"sections": [{"title": label, "fields": ["code"]}]}}


@pytest.mark.timeout(60)
def test_a_timed_out_rule_keeps_the_citizen_moving_and_the_answer(caplog: pytest.LogCaptureFixture) -> None:
    session = FormSession(load_form(_form("(?:a|aa|aaa)*c")), today=TODAY)
    answer = "a" * 70 + "ca"
    with caplog.at_level(logging.WARNING):
        session.set_value("code", answer)
        session.reveal_errors()
        assert session.errors() == {}
        assert session.is_complete()
    assert session.answers()["code"] == answer
    errors = [r for r in caplog.records if "form definition error" in r.getMessage()]
    assert errors and "bounded_form" in errors[0].getMessage() and "code" in errors[0].getMessage()
    assert answer not in caplog.text


# Shapes of catastrophic backtracking: overlapping alternatives under a star, optional pieces
# repeated, adjacent stars over the same letters. Some the load check refuses; the rest must end.
_PIECES = st.sampled_from(["a", "aa", "a?", "a*", "a+", ".", r"\w", "[ab]", "(?:a|b)", "b"])
_HOSTILE = st.builds(
    lambda alts, outer, tail: f"(?:{'|'.join(alts)}){outer}{tail}",
    st.lists(_PIECES, min_size=1, max_size=4), st.sampled_from(["*", "+", "{2,40}", ""]),
    st.sampled_from(["c", "$", "", "a*c", r"\d"]),
) | st.lists(st.sampled_from([r"\w*", "a*", ".*", "(?:a|a)*", "(?:a|aa)*"]), min_size=2, max_size=6).map(
    lambda parts: "".join(parts) + "!")


@pytest.mark.timeout(120)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=_HOSTILE, length=st.integers(min_value=0, max_value=200))
def test_hostile_patterns_are_refused_or_end_with_an_answer_or_a_definition_error(pattern: str, length: int) -> None:
    try:
        tree = parse(f"regex(., '{pattern}')")
    except ExpressionError as refused:
        assert "regular expression" in refused.message
        return
    try:
        result = tree.evaluate(Env({}, "a" * length + "bcx", TODAY))
    except RegexTimedOut:
        return
    assert isinstance(result, bool)
