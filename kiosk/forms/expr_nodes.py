"""The syntax tree of form expressions, how each node evaluates, and how it prints back to source.

Values inside the language are ``None`` (null, e.g. an unanswered field), ``bool``, ``int``,
``float``, ``str`` (dates are ISO ``YYYY-MM-DD`` strings) and ``list`` of ``str`` (multiple
choice). Nodes are frozen dataclasses; their source ``pos`` does not take part in equality, so a
printed and re-parsed tree compares equal to the original.

Evaluation is pure and runs on whichever thread calls it (in practice the kiosk's journey thread).
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeGuard

Value = Any  # None | bool | int | float | str | list[str]; Any keeps call sites readable

#: Integers beyond this many bits are refused, so no expression can grind through huge numbers.
MAX_INT_BITS = 1000


class ExpressionError(ValueError):
    """A form expression could not be parsed or evaluated.

    ``position`` is the 0-based character offset in the expression source where the problem is.
    The message never includes field values, so it is safe to log.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Env:
    """What an expression can see: field values by name, the current field's value (``.``) and today."""

    values: Mapping[str, Value] = field(default_factory=dict)
    current: Value = None
    today: _dt.date = field(default_factory=_dt.date.today)


def truthy(value: Value) -> bool:
    """How a value counts in ``and``/``or``/``not`` and as a relevance or required result."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float)):
        return bool(value)
    return len(value) > 0


def type_name(value: Value) -> str:
    """The language's name for the type of ``value``, for error messages (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    return "list"


def is_number(value: Value) -> TypeGuard[int | float]:
    """True for ints and floats, but not booleans."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def checked_number(value: int | float, pos: int) -> int | float:
    """``value`` itself, or an :class:`ExpressionError` if it is infinite, NaN or absurdly large."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ExpressionError("number out of range", pos)
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ExpressionError("number out of range", pos)
    return value


class Expr:
    """Base of all syntax tree nodes. ``parse()`` returns one of these."""

    pos: int
    depth: int = 1

    def evaluate(self, env: Env | Mapping[str, Value] | None = None) -> Value:
        """Evaluate against ``env`` (an :class:`Env`, or a plain mapping of field values).

        Raises :class:`ExpressionError` for type mistakes such as adding text to a number.
        """
        if env is None:
            env = Env()
        elif not isinstance(env, Env):
            env = Env(values=env)
        return self._eval(env)

    @property
    def references(self) -> set[str]:
        """Names of every ``${field}`` this expression reads."""
        return {node.name for node in self.walk() if isinstance(node, FieldRef)}

    @property
    def uses_current(self) -> bool:
        """True if the expression reads ``.``, the value of the field it belongs to."""
        return any(isinstance(node, Current) for node in self.walk())

    def walk(self) -> list[Expr]:
        """This node and all nodes below it, parents first."""
        nodes: list[Expr] = [self]
        for child in self.children():
            nodes.extend(child.walk())
        return nodes

    def children(self) -> tuple[Expr, ...]:
        """Direct sub-expressions."""
        return ()

    def __str__(self) -> str:
        return self.to_source()

    def to_source(self) -> str:
        """Source text that parses back to an equal tree."""
        raise NotImplementedError

    def _eval(self, env: Env) -> Value:
        raise NotImplementedError


@dataclass(frozen=True, eq=True)
class Literal(Expr):
    """A number, 'text', true/false or null written in the expression."""

    value: Value
    pos: int = field(default=0, compare=False)

    def __eq__(self, other: object) -> bool:
        # type() matters: 1, 1.0 and true must not compare equal as literals.
        return (isinstance(other, Literal) and type(self.value) is type(other.value)
                and self.value == other.value)

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))

    def to_source(self) -> str:
        value = self.value
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, int):
            return str(value)
        return "'" + str(value).replace("'", "''") + "'"

    def _eval(self, env: Env) -> Value:
        return self.value


@dataclass(frozen=True)
class FieldRef(Expr):
    """``${name}``: the value of another field (or an ``identity.*`` prefill value)."""

    name: str
    pos: int = field(default=0, compare=False)

    def to_source(self) -> str:
        return "${" + self.name + "}"

    def _eval(self, env: Env) -> Value:
        return _plain(env.values.get(self.name), self.pos)


@dataclass(frozen=True)
class Current(Expr):
    """``.``: the value of the field this expression belongs to."""

    pos: int = field(default=0, compare=False)

    def to_source(self) -> str:
        return "."

    def _eval(self, env: Env) -> Value:
        return _plain(env.current, self.pos)


@dataclass(frozen=True)
class Unary(Expr):
    """``not x`` or ``-x``."""

    op: str
    operand: Expr
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False)

    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)

    def to_source(self) -> str:
        if self.op == "not":
            return f"(not {self.operand.to_source()})"
        return f"(-{self.operand.to_source()})"

    def _eval(self, env: Env) -> Value:
        value = self.operand._eval(env)
        if self.op == "not":
            return not truthy(value)
        if value is None:
            return None
        if not is_number(value):
            raise ExpressionError(f"cannot negate {type_name(value)}", self.pos)
        return -value


@dataclass(frozen=True)
class Binary(Expr):
    """``left op right`` for ``and or = != < <= > >= + - * /``."""

    op: str
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False)

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)

    def to_source(self) -> str:
        return f"({self.left.to_source()} {self.op} {self.right.to_source()})"

    def _eval(self, env: Env) -> Value:
        op = self.op
        if op == "and":
            return truthy(self.left._eval(env)) and truthy(self.right._eval(env))
        if op == "or":
            return truthy(self.left._eval(env)) or truthy(self.right._eval(env))
        left, right = self.left._eval(env), self.right._eval(env)
        if op == "=":
            return values_equal(left, right)
        if op == "!=":
            return not values_equal(left, right)
        if op in ("<", "<=", ">", ">="):
            return _order(op, left, right, self.pos)
        return _arithmetic(op, left, right, self.pos)


@dataclass(frozen=True)
class Call(Expr):
    """``name(arg, ...)``: one of the built-in functions in :mod:`kiosk.forms.expr_functions`."""

    name: str
    args: tuple[Expr, ...]
    pos: int = field(default=0, compare=False)
    depth: int = field(default=1, compare=False)
    impl: Callable[[Env, list[Value], int], Value] | None = field(default=None, compare=False, repr=False)

    def children(self) -> tuple[Expr, ...]:
        return self.args

    def to_source(self) -> str:
        return f"{self.name}({', '.join(arg.to_source() for arg in self.args)})"

    def _eval(self, env: Env) -> Value:
        if self.impl is None:
            raise ExpressionError(f"function {self.name}() is not bound", self.pos)
        return self.impl(env, [arg._eval(env) for arg in self.args], self.pos)


def values_equal(left: Value, right: Value) -> bool:
    """``=`` in the language: numbers compare by value, anything else only with its own type."""
    if is_number(left) and is_number(right):
        return bool(left == right)
    return type(left) is type(right) and bool(left == right)


def _order(op: str, left: Value, right: Value, pos: int) -> bool:
    if left is None or right is None:
        return False  # an unanswered field is neither before nor after anything
    comparable = (is_number(left) and is_number(right)) or (isinstance(left, str) and isinstance(right, str))
    if not comparable:
        raise ExpressionError(f"cannot compare {type_name(left)} with {type_name(right)}", pos)
    if op == "<":
        return bool(left < right)
    if op == "<=":
        return bool(left <= right)
    if op == ">":
        return bool(left > right)
    return bool(left >= right)


def _arithmetic(op: str, left: Value, right: Value, pos: int) -> Value:
    if left is None or right is None:
        return None
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        return left + right
    if not (is_number(left) and is_number(right)):
        raise ExpressionError(f"cannot apply {op!r} to {type_name(left)} and {type_name(right)}", pos)
    try:
        if op == "+":
            result = left + right
        elif op == "-":
            result = left - right
        elif op == "*":
            result = left * right
        else:
            if right == 0:
                raise ExpressionError("division by zero", pos)
            result = left / right
    except OverflowError:
        raise ExpressionError("number out of range", pos) from None
    return checked_number(result, pos)


def _plain(value: object, pos: int) -> Value:
    """A field value as the language sees it (dates become ISO text, tuples lists)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if is_number(value):
        return checked_number(value, pos)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ExpressionError("a field holds a value of a type expressions cannot use", pos)
