"""The forms engine: safe rule expressions, validated form definitions and form sessions.

Forms are data published by departments (JSON checked against ``schema/form.schema.json``);
nothing in a definition is executed as Python.
"""

from __future__ import annotations

from kiosk.forms.definition import (
    IDENTITY_KEYS,
    Choice,
    FieldDefinition,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    PrintLayout,
    PrintSection,
    form_schema,
    load_form,
)
from kiosk.forms.expr import Env, Expr, ExpressionError, parse
from kiosk.forms.problems import DefinitionError, Problem
from kiosk.forms.session import FieldLockedError, FormSession
from kiosk.forms.text import LANGUAGES, LocalizedText
from kiosk.forms.values import FieldError

__all__ = [
    "IDENTITY_KEYS",
    "LANGUAGES",
    "Choice",
    "DefinitionError",
    "Env",
    "Expr",
    "ExpressionError",
    "FieldDefinition",
    "FieldError",
    "FieldLockedError",
    "FieldType",
    "FormDefinition",
    "FormDefinitionError",
    "FormSession",
    "LocalizedText",
    "PrintLayout",
    "PrintSection",
    "Problem",
    "form_schema",
    "load_form",
    "parse",
]
