"""Problems found in outside JSON (form definitions, catalogs), each located by a JSON path.

Paths use the JSONPath style ``$.fields[3].constraint`` so that the person who wrote the
definition can find every mistake from one error message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in a JSON document: where it is (``path``) and what is wrong (``message``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class DefinitionError(ValueError):
    """Base for definitions rejected from outside JSON; ``problems`` lists every mistake found."""

    kind = "definition"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        count = len(self.problems)
        super().__init__(f"invalid {self.kind} ({count} problem{'s' if count != 1 else ''}):\n{lines}")

    @property
    def paths(self) -> list[str]:
        """The JSON paths of all problems, in the order reported."""
        return [p.path for p in self.problems]


def json_path(parts: Iterable[str | int]) -> str:
    """Render path components as ``$.a.b[3]``; keys that are not identifiers are quoted."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def decode_json(data: Mapping[str, Any] | bytes | str) -> tuple[Any, list[Problem]]:
    """Decode ``data`` if it is bytes or text; a syntax error becomes a problem at ``$``."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [Problem("$", f"not UTF-8 text (byte {exc.start})")]
    if isinstance(data, str):
        try:
            return json.loads(data), []
        except json.JSONDecodeError as exc:
            return None, [Problem("$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
        except RecursionError:
            return None, [Problem("$", "not valid JSON: nested too deeply")]
    return data, []


def schema_problems(instance: Any, schema: Mapping[str, Any]) -> list[Problem]:
    """Every JSON Schema (2020-12) violation of ``instance``, as sorted problems."""
    # Imported here: jsonschema (with its dependencies) is a sizeable import, and the packaged
    # catalog, checked when the product is built, does not need it on the way to the first frame.
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in validator.iter_errors(instance):
        problems.append(Problem(json_path(error.absolute_path), _schema_message(error)))
    return sorted(set(problems))


def _schema_message(error: jsonschema.ValidationError) -> str:
    # jsonschema's messages start with the whole offending value; for a big object that buries
    # the point, so shorten the value and keep what was expected.
    if error.validator in ("enum", "const"):
        value = error.validator_value
        allowed = value if error.validator == "enum" and isinstance(value, list) else [value]
        return f"{_short(error.instance)} is not one of {', '.join(map(repr, allowed))}"
    text = error.message
    prefix = repr(error.instance)
    if len(prefix) > 60 and text.startswith(prefix):
        text = _short(error.instance) + text[len(prefix):]
    return text


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
