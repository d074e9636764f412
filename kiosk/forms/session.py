"""One citizen filling in one form: values, relevance, required, checks, prefill, and the UI view.

A :class:`FormSession` is plain Python with no threads of its own; the kiosk's journey thread
owns it and the UI reads :meth:`FormSession.view` snapshots through the bridge. It holds personal
data, so it is dropped (not reused) when the journey ends, and nothing here logs a value.
"""

from __future__ import annotations

import datetime as _dt
import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kiosk.forms.definition import IDENTITY_KEYS, FieldDefinition, FieldType, FormDefinition
from kiosk.forms.expr import Env, Expr, ExpressionError, RegexTimedOut, Value, truthy
from kiosk.forms.text import check_language
from kiosk.forms.values import Coerced, FieldError, coerce, display_text, error, rule_value

log = logging.getLogger(__name__)


class FieldLockedError(ValueError):
    """The field's value came from the identity document and the form locks it."""


@dataclass(frozen=True)
class _State:
    relevant: dict[str, bool]
    required: dict[str, bool]
    errors: dict[str, FieldError]


class FormSession:
    """The answers of one citizen to one :class:`FormDefinition`.

    ``identity_prefill`` is the dict the kiosk builds from the identity document, keyed
    ``identity.name``, ``identity.birth_date`` and so on (see ``IDENTITY_KEYS``); fields with a
    matching ``prefill`` key start with that value when it passes the field's format check.
    ``today`` (a date, or a callable returning one) feeds ``today()`` and ``age()`` in rules.
    Not thread-safe: call it from one thread (the journey thread).
    """

    def __init__(self, definition: FormDefinition, identity_prefill: Mapping[str, Any] | None = None,
                 today: _dt.date | Callable[[], _dt.date] | None = None) -> None:
        self._definition = definition
        if today is None:
            self._today: Callable[[], _dt.date] = _dt.date.today
        elif isinstance(today, _dt.date):
            self._today = lambda: today
        else:
            self._today = today
        self._identity = {key: _identity_value(value) for key, value in (identity_prefill or {}).items()
                          if key in IDENTITY_KEYS}
        day = self._today()
        self._entries: dict[str, Coerced] = {f.id: coerce(f, None, day) for f in definition.fields}
        self._prefilled: set[str] = set()
        self._locked: set[str] = set()
        self._touched: set[str] = set()
        self._revealed = False
        self._state: _State | None = None
        for field in definition.fields:
            raw = self._identity.get(field.prefill) if field.prefill else None
            if raw is None:
                continue
            entry = coerce(field, raw, day)
            if entry.error is None and entry.value is not None:
                self._entries[field.id] = entry
                self._prefilled.add(field.id)
                self._touched.add(field.id)  # show problems with document data straight away
                if field.lock_prefill:
                    self._locked.add(field.id)

    @property
    def definition(self) -> FormDefinition:
        """The form being filled in."""
        return self._definition

    @property
    def values(self) -> dict[str, Value]:
        """Every field's current typed value (also of fields not relevant now); a copy."""
        return {fid: _copy(entry.value) for fid, entry in self._entries.items()}

    @property
    def prefilled_fields(self) -> frozenset[str]:
        """Ids of fields whose value came from the identity document."""
        return frozenset(self._prefilled)

    def set_value(self, field_id: str, raw: object) -> None:
        """Record what the citizen entered (text from the keyboard, or bool/list/date from pickers).

        Format problems do not raise; they show up in :meth:`errors`. Raises :class:`KeyError`
        for an unknown field and :class:`FieldLockedError` for a locked prefilled field.
        """
        field = self._definition.field(field_id)
        if field_id in self._locked:
            raise FieldLockedError(f"field {field_id!r} is locked: its value comes from the identity document")
        self._entries[field_id] = coerce(field, raw, self._today())
        self._prefilled.discard(field_id)
        self._touched.add(field_id)
        self._state = None

    def clear_value(self, field_id: str) -> None:
        """Forget the answer to one field."""
        self.set_value(field_id, None)

    def reveal_errors(self) -> None:
        """Show errors on every field in :meth:`view`, also untouched ones (the citizen pressed Next)."""
        self._revealed = True

    def is_relevant(self, field_id: str) -> bool:
        """Whether the field is asked at all, given the answers so far."""
        self._definition.field(field_id)
        return self._compute().relevant[field_id]

    def is_required(self, field_id: str) -> bool:
        """Whether the field must be answered (false for fields that are not relevant)."""
        self._definition.field(field_id)
        return self._compute().required[field_id]

    def is_locked(self, field_id: str) -> bool:
        """Whether the field shows a prefilled value the citizen cannot change."""
        return field_id in self._locked

    def visible_fields(self) -> list[FieldDefinition]:
        """The relevant fields, in display order."""
        relevant = self._compute().relevant
        return [f for f in self._definition.fields if relevant[f.id]]

    def errors(self) -> dict[str, FieldError]:
        """Problems with relevant fields, by field id: format, required, then constraint."""
        return dict(self._compute().errors)

    def is_complete(self) -> bool:
        """True when no relevant field has a problem, so the form can be submitted."""
        return not self._compute().errors

    def answers(self) -> dict[str, Value]:
        """The answers to submit: every relevant field (None if unanswered), in display order.

        Does not check completeness; call :meth:`is_complete` first.
        """
        relevant = self._compute().relevant
        return {f.id: _copy(self._entries[f.id].value) for f in self._definition.fields if relevant[f.id]}

    def view(self, lang: str) -> list[dict[str, Any]]:
        """Everything the UI needs to draw the relevant fields, in ``lang`` (``zh-CN`` or ``en``).

        One dict per relevant field with keys: ``id``, ``type``, ``label``, ``hint`` (str or None),
        ``value`` (typed value), ``text`` (entry text for inputs, readable text for choices and
        checkboxes), ``required``, ``readonly``, ``prefilled``, ``valid``, ``error`` (message, or
        None while the field is untouched and errors are not revealed), ``choices`` (list of
        ``{"value", "label", "selected"}``, empty unless a choice field), ``multiple``,
        ``keyboard`` (``pinyin``/``latin``/``digits`` or None) and ``max_length`` (int or None).
        """
        check_language(lang)
        state = self._compute()
        rows = []
        for field in self._definition.fields:
            if not state.relevant[field.id]:
                continue
            entry = self._entries[field.id]
            problem = state.errors.get(field.id)
            shown = problem is not None and (self._revealed or field.id in self._touched)
            selected = entry.value if isinstance(entry.value, list) else [entry.value]
            rows.append({
                "id": field.id,
                "type": field.type.value,
                "label": field.label.text(lang),
                "hint": field.hint.text(lang) if field.hint else None,
                "value": _copy(entry.value),
                "text": entry.text or display_text(field, entry.value, lang),
                "required": state.required[field.id],
                "readonly": field.id in self._locked,
                "prefilled": field.id in self._prefilled,
                "valid": problem is None,
                "error": problem.message.text(lang) if shown and problem is not None else None,
                "choices": [{"value": c.value, "label": c.label.text(lang), "selected": c.value in selected}
                            for c in field.choices],
                "multiple": field.multiple,
                "keyboard": field.keyboard,
                "max_length": field.max_length,
            })
        return rows

    def printable(self, lang: str) -> dict[str, Any]:
        """The print layout filled in: ``{"title", "sections": [{"title", "rows": [{"id", "label", "text"}]}]}``.

        Fields that are not relevant are left out, and so are sections left empty.
        """
        check_language(lang)
        relevant = self._compute().relevant
        layout = self._definition.print_layout
        sections = []
        for section in layout.sections:
            rows = []
            for field_id in section.fields:
                if not relevant[field_id]:
                    continue
                field = self._definition.field(field_id)
                rows.append({"id": field_id, "label": field.label.text(lang),
                             "text": display_text(field, self._entries[field_id].value, lang)})
            if rows:
                sections.append({"title": section.title.text(lang), "rows": rows})
        title = (layout.title or self._definition.title).text(lang)
        return {"title": title, "sections": sections}

    def _compute(self) -> _State:
        if self._state is not None:
            return self._state
        definition, today = self._definition, self._today()
        visible: dict[str, Value] = dict(self._identity)  # answers as rules see them
        relevant: dict[str, bool] = {}
        for field_id in definition.relevance_order:
            field = definition.field(field_id)
            relevant[field_id] = (field.relevant is None
                                  or self._rule(field, "relevant", field.relevant, Env(visible, None, today), True))
            visible[field_id] = rule_value(field, self._entries[field_id].value) if relevant[field_id] else None
        required: dict[str, bool] = {}
        errors: dict[str, FieldError] = {}
        for field in definition.fields:
            value = self._entries[field.id].value
            env = Env(visible, rule_value(field, value), today)
            rule = field.required
            required[field.id] = relevant[field.id] and (
                self._rule(field, "required", rule, env, True) if isinstance(rule, Expr) else bool(rule))
            if not relevant[field.id]:
                continue
            problem = self._entries[field.id].error
            if problem is None and required[field.id] and _is_empty(field, value):
                problem = error(_EMPTY_CODES.get(field.type, "required"))
            if (problem is None and field.constraint is not None and not _is_empty(field, value)
                    and not self._rule(field, "constraint", field.constraint, env, False)):
                problem = FieldError("constraint", field.constraint_message or error("constraint").message)
            if problem is not None:
                errors[field.id] = problem
        self._state = _State(relevant, required, errors)
        return self._state

    def _rule(self, field: FieldDefinition, kind: str, rule: Expr, env: Env, fallback: bool) -> bool:
        try:
            return truthy(rule.evaluate(env))
        except RegexTimedOut as exc:
            # The pattern, not the answer, is at fault: the rule is skipped (a constraint counts as
            # met), so the citizen is never held on a field by a broken definition and keeps every
            # answer; the authors get an error naming the form, field and pattern (never the value).
            log.error("form definition error: form %s v%d field %s: %s rule skipped: %s",
                      self._definition.id, self._definition.version, field.id, kind, exc.message)
            return True
        except ExpressionError as exc:
            # A rule that cannot be evaluated is a defect in the published form; keep the citizen
            # moving with the safe default and leave a trace for the form's authors.
            log.warning("form %s v%d field %s: %s rule failed: %s",
                        self._definition.id, self._definition.version, field.id, kind, exc.message)
            return fallback


_EMPTY_CODES = {FieldType.CHECKBOX: "not_ticked", FieldType.SIGNATURE: "not_signed"}


def _is_empty(field: FieldDefinition, value: Value) -> bool:
    if field.type is FieldType.CHECKBOX:
        return value is not True
    return value is None or value == [] or value == ""


def _copy(value: Value) -> Value:
    # Address and signature values nest lists in dicts: copy all the way down.
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def _identity_value(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value
