"""The form expression language: syntax, semantics, limits, and hypothesis properties."""

from __future__ import annotations

import contextlib
import datetime as dt
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.idcard.gb11643 import check_char
from kiosk.forms.expr import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_SOURCE_LENGTH,
    Binary,
    Call,
    Current,
    Env,
    Expr,
    ExpressionError,
    FieldRef,
    Literal,
    Unary,
    parse,
    tokenize,
)

TODAY = dt.date(2025, 3, 1)
VALID_ID = "11010519850615124" + check_char("11010519850615124")


def ev(source: str, current: object = None, today: dt.date = TODAY, **values: object) -> object:
    return parse(source).evaluate(Env(values, current, today))


# --- literals, operators, precedence ------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), [
    ("42", 42), ("3.5", 3.5), ("1e3", 1000.0), ("'abc'", "abc"), ("'it''s'", "it's"), ("''", ""),
    ("true", True), ("false", False), ("null", None),
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("7 / 2", 3.5), ("10 - 4 - 3", 3), ("-3 + 5", 2), ("- -3", 3),
    ("2 * -3", -6), ("'a' + 'b'", "ab"),
    ("1 = 1", True), ("1 == 1.0", True), ("1 != 2", True), ("'a' < 'b'", True), ("3 >= 3", True),
    ("not 1 = 2", True), ("true and false or true", True), ("true or false and false", True),
    ("not true or true", True), ("'1' = 1", False), ("true = 1", False), ("null = null", True),
    ("'2024-01-31' < '2024-02-01'", True),
])
def test_evaluates(source: str, expected: object) -> None:
    result = parse(source).evaluate()
    assert result == expected and type(result) is type(expected)


def test_evaluate_accepts_a_plain_mapping() -> None:
    assert parse("${a} + 1").evaluate({"a": 2}) == 3


def test_field_refs_current_value_and_identity_keys() -> None:
    assert ev("${age} >= 16 and . = 'x'", current="x", age=20) is True
    assert ev("${identity.document_type} != 'resident_id'", **{"identity.document_type": "passport"}) is True
    assert parse("${a} + ${b.c} * .").references == {"a", "b.c"}
    assert parse("${a} + .").uses_current and not parse("${a}").uses_current


@pytest.mark.parametrize(("source", "expected"), [
    ("${missing} + 1", None), ("${missing} > 1", False), ("${missing} < 1", False), ("${missing} = null", True),
    ("not ${missing}", True), ("len(${missing})", 0), ("regex(${missing}, 'a')", False),
    ("age(${missing})", None), ("selected(${missing}, 'a')", False), ("contains(${missing}, 'a')", False),
    ("is_id_number(${missing})", False), ("-${missing}", None),
])
def test_null_is_tolerated(source: str, expected: object) -> None:
    assert ev(source) == expected


def test_dates_in_values_are_seen_as_iso_text() -> None:
    assert ev("${d} = '2000-02-29'", d=dt.date(2000, 2, 29)) is True
    assert ev("${xs} = ${ys}", xs=("a", "b"), ys=["a", "b"]) is True


# --- functions -------------------------------------------------------------------------------


def test_len_regex_contains_selected() -> None:
    assert ev("len('居住证')") == 3
    assert ev("len(${xs})", xs=["a", "b"]) == 2
    assert ev(r"regex(., '\d{6}')", current="100081") is True
    assert ev(r"regex(., '\d{6}')", current="1000812") is False  # whole text must match
    assert ev("regex(., '[0-9]+')", current=12345) is True
    assert ev("regex(., 'a')", current="a" * 5000) is False  # over the subject cap
    assert ev("contains(., '路')", current="幸福路18号") is True
    assert ev("contains(${xs}, 'b')", xs=["a", "b"]) is True
    assert ev("selected(${xs}, 'b')", xs=["a", "b"]) is True
    assert ev("selected(., 'b')", current="b") is True and ev("selected(., 'b')", current="a") is False


def test_today_and_age_use_the_injected_date() -> None:
    assert ev("today()") == "2025-03-01"
    assert ev("age('2009-03-01')") == 16
    assert ev("age('2009-03-02')") == 15
    assert ev("age('2008-02-29')") == 17  # leap-day birthday counts from 1 March in common years
    assert ev("age(.)", current="2000-02-29", today=dt.date(2001, 2, 28)) == 0
    assert ev(". <= today()", current="2025-03-01") is True


def test_is_id_number() -> None:
    assert ev("is_id_number(.)", current=VALID_ID) is True
    wrong = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    assert ev("is_id_number(.)", current=wrong) is False
    assert ev("is_id_number(.)", current=12) is False


def test_function_table_matches_the_contract() -> None:
    assert set(FUNCTIONS) >= {"len", "regex", "today", "age", "selected", "is_id_number", "contains"}


# --- errors with positions ------------------------------------------------------------------


@pytest.mark.parametrize(("source", "position", "fragment"), [
    ("1 +", 3, "expected a value"),
    ("(1 + 2", 6, "expected ')'"),
    ("1 2", 2, "after a complete expression"),
    ("foo(1)", 0, "unknown name 'foo'"),
    ("age", 3, "expected '('"),
    ("len(1, 2)", 0, "takes 1 argument"),
    ("today(1)", 0, "takes 0 arguments"),
    ("1 < 2 < 3", 6, "cannot be chained"),
    ("'abc", 0, "closing quote"),
    ("${", 0, "${field_id}"),
    ("${1a}", 0, "${field_id}"),
    ("1 # 2", 2, "unexpected character '#'"),
    (".5", 0, "leading digit"),
    ("12abc", 0, "malformed number"),
    ("1e999", 0, "out of range"),
    ("regex(., ${p})", 9, "text literal"),
    ("regex(., '(a+)+$')", 9, "repeats a group"),
    ("regex(., '[')", 9, "invalid regular expression"),
    (f"regex(., '{'a' * 201}')", 9, "longer than"),
    ("__import__('os')", 0, "unknown name"),
    ("not", 3, "expected a value"),
    ("and", 0, "found 'and'"),
])
def test_parse_errors_name_the_position(source: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert caught.value.position == position
    assert fragment in caught.value.message


@pytest.mark.parametrize(("source", "position", "fragment"), [
    ("1 / 0", 2, "division by zero"),
    ("1 + 'a'", 2, "cannot apply '+' to number and text"),
    ("'a' * 3", 4, "cannot apply '*'"),
    ("1 < 'a'", 2, "cannot compare number with text"),
    ("-'a'", 0, "cannot negate text"),
    ("age('yesterday')", 0, "age() needs a date"),
    ("len(5)", 0, "len() needs text or a list"),
    ("1e300 * 1e300", 6, "out of range"),
])
def test_evaluation_errors_name_the_position(source: str, position: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(source).evaluate()
    assert caught.value.position == position
    assert fragment in caught.value.message


def test_values_of_unusable_types_are_rejected_cleanly() -> None:
    with pytest.raises(ExpressionError):
        parse("${x} + 1").evaluate({"x": object()})


def test_error_messages_do_not_leak_values() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("${id} + 1").evaluate({"id": VALID_ID})
    assert VALID_ID not in str(caught.value)


# --- limits against pathological input ------------------------------------------------------


def test_source_length_is_capped() -> None:
    with pytest.raises(ExpressionError, match="longer than"):
        parse("1" + " " * MAX_SOURCE_LENGTH)


@pytest.mark.parametrize("source", [
    "(" * 500 + "1" + ")" * 500,
    "not " * 400 + "true",
    "-" * 900 + "1",
    "+".join(["1"] * 300),
    "len(" * 200 + "'a'" + ")" * 200,
])
def test_deep_nesting_is_refused_without_recursion_errors(source: str) -> None:
    with pytest.raises(ExpressionError, match="nested deeper"):
        parse(source)


def test_moderate_nesting_is_fine() -> None:
    assert parse("(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1)).evaluate() == 1
    assert parse("+".join(["1"] * (MAX_DEPTH - 1))).evaluate() == MAX_DEPTH - 1


def test_big_integers_are_refused() -> None:
    big = "*".join(["9" * 39] * 30)
    with pytest.raises(ExpressionError, match="out of range"):
        parse(big).evaluate()


def test_tokenizer_rejects_non_text() -> None:
    with pytest.raises(ExpressionError):
        tokenize(b"1 + 1")  # type: ignore[arg-type]


# --- printing ------------------------------------------------------------------------------


def test_printing_is_fully_bracketed_and_reparses() -> None:
    tree = parse("not ${a} = 1 or -. * 2 > len('x''y')")
    assert str(tree) == "((not (${a} = 1)) or (((-.) * 2) > len('x''y')))"
    assert parse(str(tree)) == tree


def test_literal_equality_respects_type() -> None:
    assert Literal(1) != Literal(1.0) and Literal(1) != Literal(True) and Literal(0) != Literal(False)


# --- hypothesis ----------------------------------------------------------------------------


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_only_raises_expression_error(source: str) -> None:
    try:
        tree = parse(source)
    except ExpressionError:
        return
    with contextlib.suppress(ExpressionError):
        tree.evaluate(Env({}, None, TODAY))
    assert parse(str(tree)) == tree


_ALPHABET = st.sampled_from([*list("0123456789.,'$ {}()+-*/=!<>andortuefslxyz_ "),
                             "${a}", "${b}", ".", "not ", "len(", "age(", "regex(", "'"])


@settings(max_examples=400)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_expression_shaped_text_only_raises_expression_error(source: str) -> None:
    try:
        tree = parse(source)
    except ExpressionError:
        return
    with contextlib.suppress(ExpressionError):
        tree.evaluate(Env({"a": 1, "b": "x"}, 2, TODAY))
    assert parse(str(tree)) == tree


def _call(name: str, *args: Expr) -> Expr:
    return Call(name, tuple(args), impl=FUNCTIONS[name].impl)


_leaves = st.one_of(
    st.integers(min_value=0, max_value=10**30).map(Literal),
    st.floats(min_value=0, max_value=1e300, allow_nan=False, allow_infinity=False).map(Literal),
    st.text(max_size=12).map(Literal),
    st.sampled_from([True, False, None]).map(Literal),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}(\.[a-z_]{1,5})?", fullmatch=True).map(FieldRef),
    st.just(Current()),
)
_OPS = ["and", "or", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/"]


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(Unary, st.sampled_from(["not", "-"]), children),
        st.builds(Binary, st.sampled_from(_OPS), children, children),
        st.builds(lambda a: _call("len", a), children),
        st.builds(lambda a, b: _call("contains", a, b), children, children),
        st.builds(lambda a: _call("regex", a, Literal("[a-z]+")), children),
        st.builds(lambda: _call("today")),
    )


@settings(max_examples=300)
@given(st.recursive(_leaves, _extend, max_leaves=20))
def test_printed_trees_reparse_to_the_same_tree(tree: Expr) -> None:
    assert parse(tree.to_source()) == tree


def _numbers() -> st.SearchStrategy[tuple[str, object]]:
    ints = st.integers(min_value=-1000, max_value=1000)
    floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
    leaf = st.one_of(ints, floats).map(
        lambda n: (repr(n) if n >= 0 and not str(n).startswith("-") else f"(-{-n!r})", n))

    def combine(children: st.SearchStrategy[tuple[str, object]]) -> st.SearchStrategy[tuple[str, object]]:
        def apply(op: str, left: tuple[str, object], right: tuple[str, object]) -> tuple[str, object]:
            a, b = left[1], right[1]
            if isinstance(a, Exception) or isinstance(b, Exception):
                value: object = a if isinstance(a, Exception) else b
            else:
                try:
                    value = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b}[op]()
                except ZeroDivisionError as exc:
                    value = exc
                if isinstance(value, float) and not math.isfinite(value):
                    value = OverflowError()  # Python says inf; the language refuses it
            return f"({left[0]} {op} {right[0]})", value
        return st.builds(apply, st.sampled_from(["+", "-", "*", "/"]), children, children)

    return st.recursive(leaf, combine, max_leaves=12)


@settings(max_examples=400)
@given(_numbers())
def test_arithmetic_agrees_with_python(case: tuple[str, object]) -> None:
    source, expected = case
    if isinstance(expected, Exception):
        message = "division by zero" if isinstance(expected, ZeroDivisionError) else "out of range"
        with pytest.raises(ExpressionError, match=message):
            parse(source).evaluate()
        return
    result = parse(source).evaluate()
    assert type(result) is type(expected)
    assert result == expected


@settings(max_examples=300)
@given(_numbers(), st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), _numbers(), st.booleans())
def test_comparison_agrees_with_python(left: tuple[str, object], op: str, right: tuple[str, object],
                                       negate: bool) -> None:
    for _, value in (left, right):
        if isinstance(value, Exception):
            return  # covered by test_arithmetic_agrees_with_python
    a, b = left[1], right[1]
    expected = {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]  # type: ignore[operator]
    source = f"{left[0]} {op} {right[0]}"
    if negate:
        source, expected = f"not ({source}) or false", not expected
    assert parse(source).evaluate() is expected


def test_the_forms_engine_never_calls_eval_or_exec() -> None:
    import pathlib
    import re

    import kiosk.forms

    package = pathlib.Path(kiosk.forms.__file__).parent
    for module in package.glob("*.py"):
        assert not re.search(r"(?<![\w.])(eval|exec|compile)\(", module.read_text("utf-8")), module.name
