"""Form definitions: the JSON a government department publishes, checked and turned into objects.

:func:`load_form` validates the JSON against ``schema/form.schema.json`` (JSON Schema 2020-12),
then checks what a schema cannot: unique ids, every expression parses, references point at real
fields, relevance has no cycles, options fit the field type, and the print layout names real
fields. Every problem is collected and reported together, each with its JSON path.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from kiosk.forms.expr import Expr, ExpressionError, parse
from kiosk.forms.problems import DefinitionError, Problem, decode_json, json_path, schema_problems
from kiosk.forms.text import LocalizedText

#: Keys of the identity dict the kiosk passes to a form session, usable as prefill and in ``${...}``.
IDENTITY_KEYS: tuple[str, ...] = (
    "identity.name", "identity.sex", "identity.birth_date", "identity.id_number",
    "identity.address", "identity.nationality", "identity.ethnicity", "identity.document_type",
)


class FieldType(str, enum.Enum):
    """What kind of answer a field takes."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    PHONE = "phone"
    ID_NUMBER = "id_number"
    CHECKBOX = "checkbox"
    ADDRESS = "address"
    SIGNATURE = "signature"


_DEFAULT_KEYBOARD = {
    FieldType.TEXT: "pinyin", FieldType.NUMBER: "digits", FieldType.PHONE: "digits",
    FieldType.ID_NUMBER: "digits", FieldType.ADDRESS: "pinyin",
}
# Which field types a prefill key can sensibly fill.
_PREFILL_TYPES = {
    "identity.birth_date": {FieldType.DATE, FieldType.TEXT},
    "identity.sex": {FieldType.CHOICE, FieldType.TEXT},
    "identity.document_type": {FieldType.CHOICE, FieldType.TEXT},
    "identity.id_number": {FieldType.ID_NUMBER, FieldType.TEXT},
    "identity.address": {FieldType.TEXT, FieldType.CHOICE, FieldType.ADDRESS},
}
_TYPE_ONLY_OPTIONS = {
    "choices": FieldType.CHOICE, "multiple": FieldType.CHOICE, "integer": FieldType.NUMBER,
    "mobile_only": FieldType.PHONE, "max_length": FieldType.TEXT,
}
DEFAULT_MAX_LENGTH = 200


class FormDefinitionError(DefinitionError):
    """A form definition was rejected; ``problems`` names the JSON path of every mistake."""

    kind = "form definition"


@dataclass(frozen=True)
class Choice:
    """One option of a choice field: the stored ``value`` and what the citizen reads."""

    value: str
    label: LocalizedText


@dataclass(frozen=True)
class FieldDefinition:
    """One question on a form, as published. Expressions are already parsed."""

    id: str
    type: FieldType
    label: LocalizedText
    hint: LocalizedText | None = None
    required: bool | Expr = False
    constraint: Expr | None = None
    constraint_message: LocalizedText | None = None
    relevant: Expr | None = None
    prefill: str | None = None
    lock_prefill: bool = False
    choices: tuple[Choice, ...] = ()
    multiple: bool = False
    keyboard: str | None = None
    max_length: int | None = None
    integer: bool = False
    mobile_only: bool = False

    def choice(self, value: str) -> Choice | None:
        """The choice with this value, or None."""
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class PrintSection:
    """A titled group of fields on the printed form."""

    title: LocalizedText
    fields: tuple[str, ...]


@dataclass(frozen=True)
class PrintLayout:
    """How the A4 form is printed: an optional title and sections in order."""

    sections: tuple[PrintSection, ...]
    title: LocalizedText | None = None


@dataclass(frozen=True)
class FormDefinition:
    """A loaded, validated form. Build with :func:`load_form`; immutable once built."""

    id: str
    version: int
    title: LocalizedText
    fields: tuple[FieldDefinition, ...]
    print_layout: PrintLayout
    description: LocalizedText | None = None
    digest: str = ""
    relevance_order: tuple[str, ...] = dataclasses.field(default=(), repr=False)

    def field(self, field_id: str) -> FieldDefinition:
        """The field with this id; :class:`KeyError` naming the form if there is none."""
        for candidate in self.fields:
            if candidate.id == field_id:
                return candidate
        raise KeyError(f"form {self.id!r} has no field {field_id!r}")

    @property
    def field_ids(self) -> tuple[str, ...]:
        """All field ids in display order."""
        return tuple(f.id for f in self.fields)


@lru_cache(maxsize=1)
def form_schema() -> dict[str, Any]:
    """The published JSON Schema for form definitions (read once from package data)."""
    text = resources.files("kiosk.forms.schema").joinpath("form.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_form(data: Mapping[str, Any] | bytes | str, *, packaged: bool = False) -> FormDefinition:
    """Validate a form definition (a decoded dict, or JSON bytes/text) and build it.

    Raises :class:`FormDefinitionError` listing every problem with its JSON path. ``packaged``
    is for the forms shipped inside the product, whose JSON Schema check is done when the product
    is built and tested (tests/kiosk/test_catalog.py): they skip only that step; everything the
    schema cannot say (fields, references, relevance, print layout) is still checked.
    """
    document, problems = decode_json(data)
    if not problems and not packaged:
        problems = schema_problems(document, form_schema())
    if not problems:
        fields, problems = _build_fields(document["fields"])
        problems += _check_references(fields)
        order, cycle_problems = _relevance_order(fields)
        problems += cycle_problems
        layout, layout_problems = _build_layout(document["print_layout"], {f.id for f in fields})
        problems += layout_problems
    if problems:
        raise FormDefinitionError(problems)
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return FormDefinition(
        id=document["id"],
        version=document["version"],
        title=LocalizedText.from_json(document["title"]),
        description=_text(document.get("description")),
        fields=tuple(fields),
        print_layout=layout,
        digest=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        relevance_order=order,
    )


def _text(data: Mapping[str, str] | None) -> LocalizedText | None:
    return None if data is None else LocalizedText.from_json(data)


def _expression(data: Mapping[str, Any], key: str, path: str, problems: list[Problem]) -> Expr | None:
    source = data.get(key)
    if not isinstance(source, str):
        return None
    try:
        return parse(source)
    except ExpressionError as exc:
        problems.append(Problem(f"{path}.{key}", f"{exc.message} at position {exc.position} of {source!r}"))
        return None


def _build_fields(items: list[Mapping[str, Any]]) -> tuple[list[FieldDefinition], list[Problem]]:
    problems: list[Problem] = []
    fields: list[FieldDefinition] = []
    first_seen: dict[str, str] = {}
    for index, item in enumerate(items):
        path = json_path(("fields", index))
        field_type = FieldType(item["type"])
        if item["id"] in first_seen:
            first = first_seen[item["id"]]
            problems.append(Problem(f"{path}.id", f"duplicate field id {item['id']!r} (first at {first})"))
        first_seen.setdefault(item["id"], path)
        for option, allowed_type in _TYPE_ONLY_OPTIONS.items():
            if option in item and field_type is not allowed_type:
                problems.append(Problem(f"{path}.{option}", f"only {allowed_type.value} fields take {option!r}"))
        prefill = item.get("prefill")
        if prefill in _PREFILL_TYPES:
            prefill_fits = field_type in _PREFILL_TYPES[prefill]
        else:   # a key not in the table fills text and choice fields only
            prefill_fits = not prefill or field_type in (FieldType.TEXT, FieldType.CHOICE)
        if not prefill_fits:
            problems.append(Problem(f"{path}.prefill", f"{prefill} cannot fill a {field_type.value} field"))
        if "lock_prefill" in item and not prefill:
            problems.append(Problem(f"{path}.lock_prefill", "lock_prefill needs a prefill key"))
        if "constraint_message" in item and "constraint" not in item:
            problems.append(Problem(f"{path}.constraint_message", "constraint_message without a constraint"))
        choices = tuple(Choice(c["value"], LocalizedText.from_json(c["label"])) for c in item.get("choices", ()))
        seen_values: set[str] = set()
        for choice_index, choice in enumerate(choices):
            if choice.value in seen_values:
                problems.append(Problem(json_path(("fields", index, "choices", choice_index, "value")),
                                        f"duplicate choice value {choice.value!r}"))
            seen_values.add(choice.value)
        required = item.get("required", False)
        if isinstance(required, str):
            required = _expression(item, "required", path, problems) or False
        relevant = _expression(item, "relevant", path, problems)
        if relevant is not None and (relevant.uses_current or item["id"] in relevant.references):
            problems.append(Problem(f"{path}.relevant", "a field's relevance cannot depend on its own value"))
        fields.append(FieldDefinition(
            id=item["id"],
            type=field_type,
            label=LocalizedText.from_json(item["label"]),
            hint=_text(item.get("hint")),
            required=required,
            constraint=_expression(item, "constraint", path, problems),
            constraint_message=_text(item.get("constraint_message")),
            relevant=relevant,
            prefill=prefill,
            lock_prefill=item.get("lock_prefill", False),
            choices=choices,
            multiple=item.get("multiple", False),
            keyboard=item.get("keyboard", _DEFAULT_KEYBOARD.get(field_type)),
            max_length=item.get("max_length", DEFAULT_MAX_LENGTH) if field_type is FieldType.TEXT else None,
            integer=item.get("integer", False),
            mobile_only=item.get("mobile_only", False),
        ))
    return fields, problems


def _check_references(fields: list[FieldDefinition]) -> list[Problem]:
    known = {f.id for f in fields} | set(IDENTITY_KEYS)
    problems = []
    for index, definition in enumerate(fields):
        for key in ("required", "constraint", "relevant"):
            expr = getattr(definition, key)
            if not isinstance(expr, Expr):
                continue
            for name in sorted(expr.references - known):
                problems.append(Problem(json_path(("fields", index, key)), f"refers to unknown field ${{{name}}}"))
            if key != "constraint" and expr.uses_current:
                problems.append(Problem(json_path(("fields", index, key)), "'.' may only be used in a constraint"))
    return problems


def _relevance_order(fields: list[FieldDefinition]) -> tuple[tuple[str, ...], list[Problem]]:
    """Field ids ordered so each field's relevance is computed after the fields it reads."""
    index_of = {f.id: i for i, f in enumerate(fields)}
    depends = {f.id: sorted((f.relevant.references if f.relevant else set()) & index_of.keys() - {f.id},
                            key=index_of.__getitem__) for f in fields}
    order: list[str] = []
    state: dict[str, str] = {}
    problems: list[Problem] = []

    def visit(field_id: str, trail: list[str]) -> None:
        if state.get(field_id) == "done":
            return
        if state.get(field_id) == "active":
            cycle = [*trail[trail.index(field_id):], field_id]
            problems.append(Problem(json_path(("fields", index_of[field_id], "relevant")),
                                    "relevance depends on itself: " + " -> ".join(cycle)))
            return
        state[field_id] = "active"
        for dependency in depends[field_id]:
            visit(dependency, [*trail, field_id])
        state[field_id] = "done"
        order.append(field_id)

    for definition in fields:
        visit(definition.id, [])
    return tuple(order), sorted(set(problems))


def _build_layout(data: Mapping[str, Any], field_ids: set[str]) -> tuple[PrintLayout, list[Problem]]:
    problems = []
    placed: dict[str, str] = {}
    sections = []
    for s_index, section in enumerate(data["sections"]):
        for f_index, field_id in enumerate(section["fields"]):
            path = json_path(("print_layout", "sections", s_index, "fields", f_index))
            if field_id not in field_ids:
                problems.append(Problem(path, f"unknown field {field_id!r}"))
            elif field_id in placed:
                problems.append(Problem(path, f"field {field_id!r} is already printed at {placed[field_id]}"))
            placed.setdefault(field_id, path)
        sections.append(PrintSection(LocalizedText.from_json(section["title"]), tuple(section["fields"])))
    return PrintLayout(tuple(sections), _text(data.get("title"))), problems
