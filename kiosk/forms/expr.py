"""A small, safe expression language for form rules (required, constraint, relevant).

Syntax, loosest binding first::

    a or b                      a and b                 not a
    a = b   a != b   a < b   a <= b   a > b   a >= b      (no chaining: write a < b and b < c)
    a + b   a - b                a * b   a / b           -a
    12  3.5  1e3  'text' ('' inside for a quote)  true  false  null
    ${field_id}  ${identity.name}  .  (the current field's value)  ( ... )
    len(x) regex(x, 'pattern') today() age(date) selected(x, 'v') is_id_number(x) contains(x, s)

Source text is tokenized and parsed by recursive descent into the nodes of
:mod:`kiosk.forms.expr_nodes`; nothing is ever handed to Python's ``eval``. Input size, nesting
depth and regular expressions are capped, and every problem is an :class:`ExpressionError`
carrying the character position, so arbitrary text from a form definition cannot crash or hang
the kiosk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.forms.expr_functions import FUNCTIONS, Function, RegexTimedOut
from kiosk.forms.expr_nodes import (
    Binary,
    Call,
    Current,
    Env,
    Expr,
    ExpressionError,
    FieldRef,
    Literal,
    Unary,
    Value,
    truthy,
    values_equal,
)

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_SOURCE_LENGTH",
    "Binary",
    "Call",
    "Current",
    "Env",
    "Expr",
    "ExpressionError",
    "FieldRef",
    "Function",
    "Literal",
    "RegexTimedOut",
    "Token",
    "Unary",
    "Value",
    "parse",
    "tokenize",
    "truthy",
    "values_equal",
]

#: Longest expression source accepted.
MAX_SOURCE_LENGTH = 2000
#: Deepest nesting accepted, both of brackets while parsing and of the resulting tree.
MAX_DEPTH = 48
#: Longest number literal accepted (digits, point and exponent).
MAX_NUMBER_LENGTH = 40

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REF_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_OPERATORS = ("!=", "<=", ">=", "==", "=", "<", ">", "+", "-", "*", "/", "(", ")", ",")
_KEYWORDS = {"and", "or", "not", "true", "false", "null"}
_COMPARISONS = {"=", "!=", "<", "<=", ">", ">="}


@dataclass(frozen=True)
class Token:
    """One lexical unit: ``kind`` is number, string, field, current, name, op or end."""

    kind: str
    value: Value
    pos: int


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens, ending with an ``end`` token; :class:`ExpressionError` on bad text."""
    if not isinstance(source, str):
        raise ExpressionError("an expression must be text", 0)
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_SOURCE_LENGTH} characters", MAX_SOURCE_LENGTH)
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char.isspace():
            i += 1
        elif char in "0123456789":
            i = _number(source, i, tokens)
        elif char == "'":
            i = _string(source, i, tokens)
        elif source.startswith("${", i):
            i = _field(source, i, tokens)
        elif char == ".":
            if source[i + 1:i + 2].isdigit():
                raise ExpressionError("write a number with a leading digit, like 0.5", i)
            tokens.append(Token("current", ".", i))
            i += 1
        elif name := _NAME.match(source, i):
            word = name.group()
            tokens.append(Token("name", word, i))
            i += len(word)
        else:
            op = next((op for op in _OPERATORS if source.startswith(op, i)), None)
            if op is None:
                raise ExpressionError(f"unexpected character {char!r}", i)
            tokens.append(Token("op", "=" if op == "==" else op, i))
            i += len(op)
    tokens.append(Token("end", None, n))
    return tokens


def _number(source: str, i: int, tokens: list[Token]) -> int:
    match = _NUMBER.match(source, i)
    if match is None:  # the caller saw a digit here
        raise ExpressionError("expected a number", i)
    text = match.group()
    if len(text) > MAX_NUMBER_LENGTH:
        raise ExpressionError(f"number longer than {MAX_NUMBER_LENGTH} characters", i)
    end = i + len(text)
    if end < len(source) and (source[end].isalnum() or source[end] in "_."):
        raise ExpressionError("malformed number", i)
    if "." in text or "e" in text or "E" in text:
        value: int | float = float(text)
        if value == float("inf"):
            raise ExpressionError("number out of range", i)
    else:
        value = int(text)
    tokens.append(Token("number", value, i))
    return end


def _string(source: str, i: int, tokens: list[Token]) -> int:
    parts, j = [], i + 1
    while True:
        end = source.find("'", j)
        if end < 0:
            raise ExpressionError("text is missing its closing quote '", i)
        parts.append(source[j:end])
        if source.startswith("''", end):
            parts.append("'")
            j = end + 2
        else:
            tokens.append(Token("string", "".join(parts), i))
            return end + 1


def _field(source: str, i: int, tokens: list[Token]) -> int:
    end = source.find("}", i + 2)
    name = source[i + 2:end] if end >= 0 else ""
    if end < 0 or not _REF_NAME.fullmatch(name):
        raise ExpressionError("a field reference looks like ${field_id}", i)
    tokens.append(Token("field", name, i))
    return end + 1


def parse(source: str) -> Expr:
    """Parse ``source`` into a syntax tree; raise :class:`ExpressionError` with the position on error."""
    return _Parser(tokenize(source)).parse()


class _Parser:
    """Recursive descent over the token list; ``_nesting`` bounds the recursion."""

    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._index = 0
        self._nesting = 0

    def parse(self) -> Expr:
        """The whole token list as one expression; anything left over is an error."""
        expr = self._or()
        token = self._peek()
        if token.kind != "end":
            raise ExpressionError(f"unexpected {_describe(token)} after a complete expression", token.pos)
        return expr

    def _peek(self) -> Token:
        return self._tokens[self._index]

    def _next(self) -> Token:
        token = self._tokens[self._index]
        if token.kind != "end":
            self._index += 1
        return token

    def _at(self, kind: str, value: str) -> bool:
        token = self._peek()
        return token.kind == kind and token.value == value

    def _expect_op(self, op: str, context: str) -> Token:
        token = self._next()
        if not (token.kind == "op" and token.value == op):
            raise ExpressionError(f"expected {op!r} {context}, found {_describe(token)}", token.pos)
        return token

    def _enter(self, pos: int) -> None:
        self._nesting += 1
        if self._nesting > MAX_DEPTH:
            raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels", pos)

    def _leave(self) -> None:
        self._nesting -= 1

    def _or(self) -> Expr:
        left = self._and()
        while self._at("name", "or"):
            pos = self._next().pos
            left = _binary("or", left, self._and(), pos)
        return left

    def _and(self) -> Expr:
        left = self._not()
        while self._at("name", "and"):
            pos = self._next().pos
            left = _binary("and", left, self._not(), pos)
        return left

    def _not(self) -> Expr:
        if not self._at("name", "not"):
            return self._comparison()
        pos = self._next().pos
        self._enter(pos)
        operand = self._not()
        self._leave()
        return _unary("not", operand, pos)

    def _comparison(self) -> Expr:
        left = self._additive()
        token = self._peek()
        if token.kind == "op" and token.value in _COMPARISONS:
            self._next()
            left = _binary(token.value, left, self._additive(), token.pos)
            after = self._peek()
            if after.kind == "op" and after.value in _COMPARISONS:
                raise ExpressionError("comparisons cannot be chained; join them with 'and'", after.pos)
        return left

    def _additive(self) -> Expr:
        left = self._multiplicative()
        while self._peek().kind == "op" and self._peek().value in ("+", "-"):
            token = self._next()
            left = _binary(token.value, left, self._multiplicative(), token.pos)
        return left

    def _multiplicative(self) -> Expr:
        left = self._unary()
        while self._peek().kind == "op" and self._peek().value in ("*", "/"):
            token = self._next()
            left = _binary(token.value, left, self._unary(), token.pos)
        return left

    def _unary(self) -> Expr:
        if not self._at("op", "-"):
            return self._primary()
        pos = self._next().pos
        self._enter(pos)
        operand = self._unary()
        self._leave()
        return _unary("-", operand, pos)

    def _primary(self) -> Expr:
        token = self._next()
        if token.kind in ("number", "string"):
            return Literal(token.value, token.pos)
        if token.kind == "field":
            return FieldRef(token.value, token.pos)
        if token.kind == "current":
            return Current(token.pos)
        if token.kind == "op" and token.value == "(":
            self._enter(token.pos)
            inner = self._or()
            self._expect_op(")", "to close the bracket")
            self._leave()
            return inner
        if token.kind == "name":
            return self._name(token)
        raise ExpressionError(f"expected a value, found {_describe(token)}", token.pos)

    def _name(self, token: Token) -> Expr:
        word = token.value
        if word in ("true", "false"):
            return Literal(word == "true", token.pos)
        if word == "null":
            return Literal(None, token.pos)
        if word in _KEYWORDS:
            raise ExpressionError(f"expected a value, found {word!r}", token.pos)
        function = FUNCTIONS.get(word)
        if function is None:
            known = ", ".join(sorted(FUNCTIONS))
            raise ExpressionError(f"unknown name {word!r}; fields are written ${{{word}}}, functions are {known}",
                                  token.pos)
        self._expect_op("(", f"after {word}")
        self._enter(token.pos)
        args: list[Expr] = []
        if not self._at("op", ")"):
            args.append(self._or())
            while self._at("op", ","):
                self._next()
                args.append(self._or())
        self._expect_op(")", f"to close {word}(")
        self._leave()
        return _call(function, tuple(args), token.pos)


def _describe(token: Token) -> str:
    descriptions = {"end": "the end of the expression", "string": "text", "number": "a number",
                    "current": "'.'", "field": "a field reference"}
    return descriptions.get(token.kind, repr(token.value))


def _checked_depth(children: tuple[Expr, ...], pos: int) -> int:
    depth = 1 + max((child.depth for child in children), default=0)
    if depth > MAX_DEPTH:
        raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels", pos)
    return depth


def _unary(op: str, operand: Expr, pos: int) -> Expr:
    return Unary(op, operand, pos, _checked_depth((operand,), pos))


def _binary(op: str, left: Expr, right: Expr, pos: int) -> Expr:
    return Binary(op, left, right, pos, _checked_depth((left, right), pos))


def _call(function: Function, args: tuple[Expr, ...], pos: int) -> Expr:
    if len(args) != function.arity:
        plural = "s" if function.arity != 1 else ""
        raise ExpressionError(f"{function.name}() takes {function.arity} argument{plural}, not {len(args)}", pos)
    if function.check is not None:
        function.check(args, pos)
    return Call(function.name, args, pos, _checked_depth(args, pos), function.impl)
