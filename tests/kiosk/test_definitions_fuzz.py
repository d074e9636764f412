"""Form definitions and catalogs come from outside (the central platform pushes them): whatever
bytes or JSON arrive, loading gives a definition or a DefinitionError naming paths, never a crash."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.catalog import Catalog, CatalogError
from kiosk.forms import FormDefinitionError, load_form

_FORMS = resources.files("kiosk.catalog.bundled.forms")
VALID_FORM = json.loads(_FORMS.joinpath("residence_permit_application.json").read_text(encoding="utf-8"))
VALID_CATALOG = json.loads(
    resources.files("kiosk.catalog.bundled").joinpath("catalog.json").read_text(encoding="utf-8"))
BUNDLED_FORMS = [load_form(entry.read_bytes()) for entry in _FORMS.iterdir() if entry.name.endswith(".json")]

_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=10,
)


def _paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside ``document``."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


def _replace(document: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    mutated = copy.deepcopy(document)
    target = mutated
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return mutated


def _assert_problems_named(error: Exception) -> None:
    assert error.problems, "a rejection must say what is wrong"
    for problem in error.problems:
        assert problem.path.startswith("$")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_load_or_are_rejected_as_a_form(data: bytes) -> None:
    try:
        load_form(data)
    except FormDefinitionError as error:
        _assert_problems_named(error)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_value_replaced_in_a_valid_form_is_handled(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_paths(VALID_FORM)))
    document = _replace(VALID_FORM, path, data.draw(_json))
    try:
        load_form(document)
    except FormDefinitionError as error:
        _assert_problems_named(error)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_value_replaced_in_the_catalog_is_handled(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_paths(VALID_CATALOG)))
    document = _replace(VALID_CATALOG, path, data.draw(_json))
    try:
        Catalog.from_json(document, BUNDLED_FORMS)
    except CatalogError as error:
        _assert_problems_named(error)
