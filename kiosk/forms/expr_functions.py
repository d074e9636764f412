"""The built-in functions of the form expression language.

Each function is strict (all arguments are evaluated first) and null-tolerant: an unanswered
field (null) gives null or false rather than an error, so rules on optional fields stay simple.
Arity and literal-only arguments (the ``regex`` pattern) are checked when the expression is
parsed, so a form definition with a bad call is rejected at load time, not in front of a citizen.

``regex()`` runs on the third-party ``regex`` engine with a time limit per match: rules are
evaluated on the journey thread, and no pattern check at load time catches every pattern that
backtracks catastrophically (overlapping alternation like ``(a|aa)*b`` passes any simple check).
A match that runs out of time raises :class:`RegexTimedOut`, a form-definition error; the form
session then skips that rule (see ``FormSession``), and the pattern is not run again in this
process, so a bad definition costs at most one time limit per pattern.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from drivers.idcard.gb11643 import is_valid as is_valid_id_number
from kiosk.forms.expr_nodes import Env, Expr, ExpressionError, Literal, Value, type_name

#: Longest regular expression a form may use.
MAX_REGEX_LENGTH = 200
#: Longest text a regular expression is run against; longer text simply does not match.
MAX_REGEX_SUBJECT = 1000
#: Seconds one ``regex()`` match may take before it counts as a broken pattern. A sane pattern on
#: at most ``MAX_REGEX_SUBJECT`` characters takes microseconds, so this is far from any real use.
REGEX_TIMEOUT = 0.05

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class RegexTimedOut(ExpressionError):
    """A ``regex()`` pattern ran out of time: a defect of the form definition, not of the answer."""


#: Patterns that ran out of time once; they are not run again (any thread may evaluate rules).
_timed_out: set[str] = set()
_timed_out_lock = threading.Lock()


@dataclass(frozen=True)
class Function:
    """A built-in: its name, how many arguments it takes, and what it does."""

    name: str
    arity: int
    impl: Callable[[Env, list[Value], int], Value]
    summary: str
    check: Callable[[Sequence[Expr], int], None] | None = None


def parse_iso_date(value: str) -> _dt.date | None:
    """The date in an ISO ``YYYY-MM-DD`` string, or None if it is not one."""
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        return None


def age_on(born: _dt.date, today: _dt.date) -> int:
    """Full years between ``born`` and ``today`` (the birthday itself counts)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` may not be used in a form, or None if it may.

    Besides size and syntax (Python's ``re`` syntax, which the ``regex`` engine's version 0 keeps)
    this refuses a quantified group that itself contains an unbounded quantifier, e.g. ``(a+)+``,
    the usual shape of catastrophic backtracking. Shapes it misses are bounded by the time limit
    on each match (:data:`REGEX_TIMEOUT`).
    """
    if len(pattern) > MAX_REGEX_LENGTH:
        return f"regular expression longer than {MAX_REGEX_LENGTH} characters"
    try:
        # The standard library's parser is enough to refuse a pattern at load: the ``regex``
        # engine's version 0 reads the same syntax, and it loads only with the first match.
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"invalid regular expression: {getattr(exc, 'msg', exc)}"
    if _has_nested_quantifier(pattern):
        return "regular expression repeats a group that already repeats (may run forever)"
    return None


def _has_nested_quantifier(pattern: str) -> bool:
    stack = [False]  # per open group: does it contain a quantifier?
    i, n, in_class = 0, len(pattern), False
    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "]":
                i += 1  # a leading ] is a literal inside a class
        elif char == "(":
            stack.append(False)
        elif char == ")" and len(stack) > 1:
            inner = stack.pop()
            if inner and pattern[i + 1:i + 2] in ("*", "+", "{"):
                return True
            stack[-1] = stack[-1] or inner
        elif char in "*+{":
            stack[-1] = True
        i += 1
    return False


def _engine() -> Any:
    # Imported with the first pattern, not with the forms engine: the catalog behind the attract
    # screen (the first frame) needs no regular expression.
    import regex

    return regex


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    engine = _engine()
    return engine.compile(pattern, flags=engine.VERSION0)


def _check_regex(args: Sequence[Expr], pos: int) -> None:
    pattern = args[1]
    if not (isinstance(pattern, Literal) and isinstance(pattern.value, str)):
        raise ExpressionError("regex() needs its pattern as a 'quoted' text literal", pattern.pos)
    problem = regex_problem(pattern.value)
    if problem:
        raise ExpressionError(problem, pattern.pos)


def _date_arg(name: str, value: Value, pos: int) -> _dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        parsed = parse_iso_date(value)
        if parsed is not None:
            return parsed
    raise ExpressionError(f"{name}() needs a date like '2000-01-31', not {type_name(value)}", pos)


def _len(env: Env, args: list[Value], pos: int) -> Value:
    (value,) = args
    if value is None:
        return 0
    if isinstance(value, (str, list)):
        return len(value)
    raise ExpressionError(f"len() needs text or a list, not {type_name(value)}", pos)


def _regex(env: Env, args: list[Value], pos: int) -> Value:
    value, pattern = args
    if value is None:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ExpressionError(f"regex() needs text, not {type_name(value)}", pos)
    if len(value) > MAX_REGEX_SUBJECT:
        return False
    timed_out = RegexTimedOut(f"regular expression '{pattern}' ran out of time (a form-definition error)", pos)
    if pattern in _timed_out:
        raise timed_out
    try:
        return _compiled(pattern).fullmatch(value, timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        with _timed_out_lock:
            _timed_out.add(pattern)
        raise timed_out from None


def _today(env: Env, args: list[Value], pos: int) -> Value:
    return env.today.isoformat()


def _age(env: Env, args: list[Value], pos: int) -> Value:
    born = _date_arg("age", args[0], pos)
    return None if born is None else age_on(born, env.today)


def _selected(env: Env, args: list[Value], pos: int) -> Value:
    value, choice = args
    if isinstance(value, list):
        return choice in value
    return value is not None and value == choice


def _is_id_number(env: Env, args: list[Value], pos: int) -> Value:
    (value,) = args
    return isinstance(value, str) and is_valid_id_number(value, env.today)


def _contains(env: Env, args: list[Value], pos: int) -> Value:
    haystack, needle = args
    if haystack is None or needle is None:
        return False
    if isinstance(haystack, list):
        return needle in haystack
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle in haystack
    raise ExpressionError(
        f"contains() needs text or a list and text, not {type_name(haystack)} and {type_name(needle)}", pos)


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("len", 1, _len, "number of characters of text, or of choices selected"),
    Function("regex", 2, _regex, "true if the whole text matches the pattern", _check_regex),
    Function("today", 0, _today, "today's date as 'YYYY-MM-DD'"),
    Function("age", 1, _age, "full years since the given date"),
    Function("selected", 2, _selected, "true if the choice value is selected"),
    Function("is_id_number", 1, _is_id_number, "true for a valid GB 11643 citizen ID number"),
    Function("contains", 2, _contains, "true if text contains text, or a list contains a value"),
)}
