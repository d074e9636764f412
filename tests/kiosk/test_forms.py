"""Form definitions (schema, load_form errors by JSON path) and form sessions.

The forms shipped with the catalog are tested in test_bundled_forms.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from drivers.idcard.gb11643 import check_char
from kiosk.forms import (
    FieldLockedError,
    FieldType,
    FormDefinition,
    FormDefinitionError,
    FormSession,
    form_schema,
    load_form,
)
from kiosk.forms.values import normalize_phone

TODAY = dt.date(2025, 3, 1)
ID_17 = "11010519850615124"
ID_NUMBER = ID_17 + check_char(ID_17)
IDENTITY = {
    "identity.name": "李秀英",
    "identity.sex": "female",
    "identity.birth_date": "1985-06-15",
    "identity.id_number": ID_NUMBER,
    "identity.address": "北京市朝阳区示例路1号院2号楼301室",
    "identity.nationality": "CHN",
    "identity.ethnicity": "汉",
    "identity.document_type": "resident_id",
}


def lt(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


def small_form() -> dict[str, Any]:
    return {
        "id": "sample_form",
        "version": 1,
        "title": lt("示例表", "Sample form"),
        "fields": [
            {"id": "name", "type": "text", "label": lt("姓名", "Name"), "required": True,
             "prefill": "identity.name", "lock_prefill": True},
            {"id": "birth_date", "type": "date", "label": lt("出生日期", "Date of birth"), "required": True,
             "prefill": "identity.birth_date", "constraint": "age(.) >= 16",
             "constraint_message": lt("须年满16周岁", "You must be 16 or over")},
            {"id": "kind", "type": "choice", "label": lt("类型", "Kind"), "required": True,
             "choices": [{"value": "shop", "label": lt("商店", "Shop")},
                         {"value": "online", "label": lt("网店", "Online")}]},
            {"id": "scope", "type": "text", "label": lt("经营范围", "Scope"), "required": True,
             "relevant": "${kind} = 'shop'", "max_length": 10},
            {"id": "detail", "type": "text", "label": lt("范围说明", "Scope detail"),
             "relevant": "${scope} != null", "required": "len(${scope}) > 3"},
            {"id": "count", "type": "number", "label": lt("人数", "Count"), "integer": True,
             "constraint": ". >= 1", "constraint_message": lt("至少1人", "At least 1")},
            {"id": "phone", "type": "phone", "label": lt("电话", "Phone")},
            {"id": "id_number", "type": "id_number", "label": lt("身份号码", "ID number"),
             "prefill": "identity.id_number"},
            {"id": "tags", "type": "choice", "multiple": True, "label": lt("标签", "Tags"),
             "choices": [{"value": "a", "label": lt("甲", "A")}, {"value": "b", "label": lt("乙", "B")}]},
            {"id": "agree", "type": "checkbox", "label": lt("同意", "I agree"), "required": True},
        ],
        "print_layout": {"sections": [
            {"title": lt("基本", "Basic"), "fields": ["name", "birth_date", "kind", "scope", "tags", "agree"]},
        ]},
    }


def session(identity: dict[str, Any] | None = None, today: dt.date = TODAY) -> FormSession:
    return FormSession(load_form(small_form()), IDENTITY if identity is None else identity, today=today)


# --- schema and load_form --------------------------------------------------------------


def test_schema_is_valid_2020_12_and_shipped_as_package_data() -> None:
    schema = form_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert resources.files("kiosk.forms.schema").joinpath("form.schema.json").is_file()


def test_load_form_from_dict_bytes_and_text() -> None:
    data = small_form()
    for source in (data, json.dumps(data).encode(), json.dumps(data)):
        form = load_form(source)
        assert isinstance(form, FormDefinition)
        assert form.id == "sample_form" and form.version == 1
    assert form.field("kind").type is FieldType.CHOICE
    assert form.field("name").keyboard == "pinyin" and form.field("count").keyboard == "digits"
    assert form.field("detail").required.references == {"scope"}  # type: ignore[union-attr]
    order = form.relevance_order
    assert order.index("kind") < order.index("scope") < order.index("detail")
    assert load_form(data).digest == form.digest and len(form.digest) == 64
    with pytest.raises(KeyError, match="no field 'nope'"):
        form.field("nope")


def _set(path: list[Any], value: Any) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value
    return mutate


_DELETE = object()


@pytest.mark.parametrize(("mutate", "path", "fragment"), [
    (_set(["title"], _DELETE), "$", "'title' is a required property"),
    (_set(["version"], "1"), "$.version", "is not of type 'integer'"),
    (_set(["id"], "Sample Form"), "$.id", "does not match"),
    (_set(["fields"], []), "$.fields", "should be non-empty"),
    (_set(["fields", 1, "type"], "handwriting"), "$.fields[1].type", "'handwriting' is not one of"),
    (_set(["fields", 0, "label", "en"], _DELETE), "$.fields[0].label", "'en' is a required property"),
    (_set(["fields", 0, "label", "en"], ""), "$.fields[0].label.en", "should be non-empty"),
    (_set(["fields", 0, "colour"], "red"), "$.fields[0]", "'colour' was unexpected"),
    (_set(["fields", 2, "choices"], _DELETE), "$.fields[2]", "'choices' is a required property"),
    (_set(["fields", 1, "constraint_message"], _DELETE), "$.fields[1]", "'constraint_message' is a dependency"),
    (_set(["fields", 0, "prefill"], "identity.photo"), "$.fields[0].prefill", "is not one of"),
    (_set(["fields", 3, "required"], 5), "$.fields[3].required", "is not of type"),
    (_set(["print_layout", "sections", 0, "fields"], []), "$.print_layout.sections[0].fields", "non-empty"),
    (_set(["fields", 1, "constraint"], "age(. >= 16"), "$.fields[1].constraint", "expected ')'"),
    (_set(["fields", 1, "constraint"], "regex(., '(a*)*')"), "$.fields[1].constraint", "repeats a group"),
    (_set(["fields", 4, "required"], "len(${scop}) > 3"), "$.fields[4].required", "unknown field ${scop}"),
    (_set(["fields", 3, "relevant"], "${kind} = 'shop' and . != null"), "$.fields[3].relevant", "own value"),
    (_set(["fields", 3, "relevant"], "${scope} = 'x'"), "$.fields[3].relevant", "own value"),
    (_set(["fields", 2, "relevant"], "${detail} = 'x'"), "$.fields[2].relevant", "relevance depends on itself"),
    (_set(["fields", 5, "required"], ". = 1"), "$.fields[5].required", "only be used in a constraint"),
    (_set(["fields", 1, "id"], "name"), "$.fields[1].id", "duplicate field id 'name'"),
    (_set(["fields", 8, "choices", 1, "value"], "a"), "$.fields[8].choices[1].value", "duplicate choice value"),
    (_set(["fields", 0, "choices"], [{"value": "x", "label": lt("甲", "A")}]), "$.fields[0].choices", "only choice"),
    (_set(["fields", 0, "integer"], True), "$.fields[0].integer", "only number fields"),
    (_set(["fields", 5, "prefill"], "identity.birth_date"), "$.fields[5].prefill", "cannot fill a number field"),
    (_set(["fields", 2, "lock_prefill"], True), "$.fields[2].lock_prefill", "needs a prefill key"),
    (_set(["print_layout", "sections", 0, "fields", 1], "birthday"), "$.print_layout.sections[0].fields[1]",
     "unknown field 'birthday'"),
    (_set(["print_layout", "sections", 0, "fields", 1], "name"), "$.print_layout.sections[0].fields[1]",
     "already printed"),
])
def test_each_mistake_is_reported_with_its_json_path(mutate: Any, path: str, fragment: str) -> None:
    data = copy.deepcopy(small_form())
    mutate(data)
    with pytest.raises(FormDefinitionError) as caught:
        load_form(data)
    matching = [p for p in caught.value.problems if p.path == path]
    assert matching, f"no problem at {path}: {caught.value}"
    assert any(fragment in p.message for p in matching), str(caught.value)
    assert path in str(caught.value)


def test_all_problems_are_reported_together() -> None:
    data = small_form()
    data["fields"][1]["constraint"] = "age(.) >="
    data["fields"][3]["relevant"] = "${knd} = 'shop'"
    data["print_layout"]["sections"][0]["fields"].append("ghost")
    with pytest.raises(FormDefinitionError) as caught:
        load_form(data)
    assert set(caught.value.paths) >= {"$.fields[1].constraint", "$.fields[3].relevant",
                                       "$.print_layout.sections[0].fields[6]"}


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe", "[1, 2", b"[]", b"null", "\"text\""])
def test_undecodable_or_wrong_shape_is_a_definition_error_at_the_root(raw: bytes | str) -> None:
    with pytest.raises(FormDefinitionError) as caught:
        load_form(raw)
    assert caught.value.paths[0] == "$"


def test_deeply_nested_json_is_a_clean_error() -> None:
    with pytest.raises(FormDefinitionError):
        load_form("[" * 100_000 + "]" * 100_000)


# --- sessions: prefill, relevance, required, constraints -------------------------------


def test_prefill_and_lock() -> None:
    s = session()
    assert s.values["name"] == "李秀英" and s.values["birth_date"] == "1985-06-15"
    assert s.values["id_number"] == ID_NUMBER
    assert s.prefilled_fields == {"name", "birth_date", "id_number"}
    assert s.is_locked("name") and not s.is_locked("birth_date")
    with pytest.raises(FieldLockedError):
        s.set_value("name", "王五")
    s.set_value("birth_date", "1990-01-01")
    assert "birth_date" not in s.prefilled_fields


def test_prefill_accepts_dates_and_skips_values_that_do_not_fit() -> None:
    identity = dict(IDENTITY, **{"identity.birth_date": dt.date(1990, 5, 4), "identity.id_number": "E12345678"})
    s = session(identity)
    assert s.values["birth_date"] == "1990-05-04"
    assert s.values["id_number"] is None and "id_number" not in s.prefilled_fields


def test_unknown_field_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no field 'nope'"):
        session().set_value("nope", "x")


def test_relevance_hides_fields_and_masks_their_values() -> None:
    s = session()
    assert not s.is_relevant("scope") and not s.is_relevant("detail")
    s.set_value("kind", "shop")
    s.set_value("scope", "百货零售")
    assert s.is_relevant("scope") and s.is_relevant("detail") and s.is_required("detail")
    s.set_value("kind", "online")
    assert not s.is_relevant("scope")
    assert not s.is_relevant("detail")  # its rule reads ${scope}, which is no longer asked
    assert "scope" not in s.answers() and s.values["scope"] == "百货零售"  # kept in case the kind changes back
    assert [f.id for f in s.visible_fields()] == ["name", "birth_date", "kind", "count", "phone", "id_number",
                                                  "tags", "agree"]


def test_required_expression() -> None:
    s = session()
    s.set_value("kind", "shop")
    s.set_value("scope", "杂货")
    assert not s.is_required("detail") and "detail" not in s.errors()
    s.set_value("scope", "日用百货")
    assert s.is_required("detail") and s.errors()["detail"].code == "required"


def test_constraint_with_injected_today() -> None:
    s = session(dict(IDENTITY, **{"identity.birth_date": "2009-03-02"}))
    assert s.errors()["birth_date"].code == "constraint"
    assert s.errors()["birth_date"].message.en == "You must be 16 or over"
    later = session(dict(IDENTITY, **{"identity.birth_date": "2009-03-02"}), today=dt.date(2025, 3, 2))
    assert "birth_date" not in later.errors()


def test_completing_the_small_form() -> None:
    s = session()
    assert not s.is_complete()
    assert set(s.errors()) == {"kind", "agree"}
    assert s.errors()["agree"].code == "not_ticked"
    s.set_value("kind", "online")
    s.set_value("agree", True)
    assert s.is_complete(), s.errors()
    s.set_value("count", "0")
    assert s.errors()["count"].message.text("zh-CN") == "至少1人"
    s.set_value("count", "３")  # full-width digit from a Chinese IME
    s.set_value("tags", ["b", "a"])
    assert s.is_complete()
    answers = s.answers()
    assert answers["count"] == 3 and answers["tags"] == ["a", "b"] and answers["agree"] is True
    assert answers["phone"] is None and "scope" not in answers
    assert list(answers) == [f.id for f in s.visible_fields()]


WRONG_ID = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")


@pytest.mark.parametrize(("field", "raw", "code", "value"), [
    ("count", "abc", "invalid_number", None),
    ("count", "2.5", "not_integer", None),
    ("count", "2.0", None, 2),
    ("count", 4, None, 4),
    ("birth_date", "1990-02-30", "invalid_date", None),
    ("birth_date", "1990/2/3", None, "1990-02-03"),
    ("birth_date", "1990年2月3日", None, "1990-02-03"),
    ("birth_date", dt.date(1990, 2, 3), None, "1990-02-03"),
    ("phone", "138 0013 8000", None, "13800138000"),
    ("phone", "12345", "invalid_phone", "12345"),
    ("id_number", WRONG_ID, "invalid_id_number", WRONG_ID),
    ("id_number", ID_NUMBER.lower(), None, ID_NUMBER),
    ("id_number", " " + ID_NUMBER[:6] + " " + ID_NUMBER[6:], None, ID_NUMBER),
    ("kind", "boat", "invalid_choice", None),
    ("kind", ["shop", "online"], "invalid_choice", None),
    ("tags", "b", None, ["b"]),
    ("tags", [], None, None),
    ("scope", "一二三四五六七八九十十一", "too_long", "一二三四五六七八九十十一"),
    ("scope", "  文具\x07 ", None, "文具"),
    ("agree", "true", None, True),
    ("agree", "maybe", "invalid_choice", False),
    ("name", None, "required", None),
    ("name", "", "required", None),
])
def test_entry_formats(field: str, raw: object, code: str | None, value: object) -> None:
    s = session({})
    s.set_value("kind", "shop")
    s.set_value(field, raw)
    error = s.errors().get(field)
    assert (error.code if error else None) == code
    assert s.values[field] == value


@pytest.mark.parametrize(("raw", "normalized"), [
    ("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"), ("19912345678", "19912345678"),
    ("010-62345678", "010-62345678"), ("01062345678", "010-62345678"), ("010-12345678", None),
    ("(0571)8888888", "0571-8888888"), ("020 3888 1234", "020-38881234"),
    ("0755-86001234-123", "0755-86001234-123"), ("0755-86001234转8", "0755-86001234-8"),
    ("１３８００１３８０００", "13800138000"),
    ("12800138000", None), ("1380013800", None), ("138001380001", None), ("010-1234567890", None),
    ("12345678", None), ("0-12345678", None), ("010-01234567", None), ("", None), ("abc", None),
])
def test_phone_numbers(raw: str, normalized: str | None) -> None:
    assert normalize_phone(raw) == normalized


def test_mobile_only_phone_field() -> None:
    data = small_form()
    data["fields"][6]["mobile_only"] = True
    s = FormSession(load_form(data), {}, today=TODAY)
    s.set_value("phone", "010-62345678")
    assert s.errors()["phone"].code == "invalid_mobile"
    s.set_value("phone", "13800138000")
    assert "phone" not in s.errors()


# --- the view for the UI -----------------------------------------------------------------


VIEW_KEYS = {"id", "type", "label", "hint", "value", "text", "required", "readonly", "prefilled", "valid",
             "error", "choices", "multiple", "keyboard", "max_length"}


def test_view_in_both_languages() -> None:
    s = session()
    for lang in ("zh-CN", "en"):
        rows = s.view(lang)
        assert [r["id"] for r in rows] == [f.id for f in s.visible_fields()]
        assert all(set(r) == VIEW_KEYS for r in rows)
    zh = {r["id"]: r for r in s.view("zh-CN")}
    en = {r["id"]: r for r in s.view("en")}
    assert zh["name"]["label"] == "姓名" and en["name"]["label"] == "Name"
    assert zh["name"]["readonly"] and zh["name"]["prefilled"] and zh["name"]["text"] == "李秀英"
    assert en["kind"]["choices"] == [{"value": "shop", "label": "Shop", "selected": False},
                                     {"value": "online", "label": "Online", "selected": False}]
    assert en["agree"]["type"] == "checkbox" and en["agree"]["text"] == "No" and zh["agree"]["text"] == "否"
    assert en["count"]["keyboard"] == "digits" and en["name"]["keyboard"] == "pinyin"
    with pytest.raises(ValueError, match="unsupported language"):
        s.view("fr")


def test_view_shows_errors_once_touched_or_revealed() -> None:
    s = session()
    rows = {r["id"]: r for r in s.view("en")}
    assert rows["kind"]["error"] is None and not rows["kind"]["valid"] and rows["kind"]["required"]
    s.set_value("count", "x")
    assert {r["id"]: r for r in s.view("en")}["count"]["error"] == "Please enter a number"
    assert {r["id"]: r for r in s.view("en")}["count"]["text"] == "x"  # what was typed stays in the box
    s.reveal_errors()
    rows = {r["id"]: r for r in s.view("zh-CN")}
    assert rows["kind"]["error"] == "此项为必填项" and rows["agree"]["error"] == "请勾选此项后继续"


def test_view_of_prefilled_invalid_data_shows_the_error_at_once() -> None:
    s = session(dict(IDENTITY, **{"identity.birth_date": "2015-01-01"}))
    row = next(r for r in s.view("en") if r["id"] == "birth_date")
    assert row["error"] == "You must be 16 or over"


def test_printable_follows_the_layout_and_relevance() -> None:
    s = session()
    s.set_value("kind", "shop")
    s.set_value("scope", "文具")
    s.set_value("tags", ["a", "b"])
    s.set_value("agree", True)
    printed = s.printable("zh-CN")
    assert printed["title"] == "示例表"
    rows = {r["id"]: r["text"] for r in printed["sections"][0]["rows"]}
    assert rows == {"name": "李秀英", "birth_date": "1985-06-15", "kind": "商店", "scope": "文具",
                    "tags": "甲、乙", "agree": "是"}
    s.set_value("kind", "online")
    assert "scope" not in {r["id"] for r in s.printable("en")["sections"][0]["rows"]}


def test_broken_rules_fall_back_safely() -> None:
    data = small_form()
    data["fields"][3]["relevant"] = "${kind} + 1 = 2"  # text + number: a defect in the form
    s = FormSession(load_form(data), {}, today=TODAY)
    s.set_value("kind", "online")
    assert s.is_relevant("scope")  # shown rather than silently skipped
