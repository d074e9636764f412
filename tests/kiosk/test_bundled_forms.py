"""The forms shipped with the catalog: each loads, matches its file name, can be completed with
the card's prefill, and keeps its own rules (relevance, age, identity-based questions)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from kiosk.forms import FieldType, FormSession, load_form
from kiosk.forms.values import display_text
from tests.kiosk.test_forms import ID_NUMBER, IDENTITY, TODAY


def bundled_form_sources() -> dict[str, bytes]:
    root = resources.files("kiosk.catalog.bundled").joinpath("forms")
    return {e.name: e.read_bytes() for e in sorted(root.iterdir(), key=lambda e: e.name) if e.name.endswith(".json")}


BUNDLED = bundled_form_sources()


def test_there_are_bundled_forms() -> None:
    assert {"residence_permit_application.json", "flexible_employment_enrollment.json",
            "individual_business_registration.json"} <= set(BUNDLED)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_form_loads_and_matches_its_file_name(name: str) -> None:
    form = load_form(BUNDLED[name])
    assert f"{form.id}.json" == name


FILLERS: dict[str, object] = {
    "text": "示例内容", "number": 1, "date": "2025-03-01", "phone": "13800138000", "id_number": ID_NUMBER,
    "checkbox": True, "address": {"code": "110105", "detail": "示例路1号"},
    "signature": {"w": 800, "h": 300, "strokes": [[10, 10, 20, 20]]},
}


def fill_generically(s: FormSession) -> None:
    """Answer every required, unanswered field with a plausible value until nothing changes."""
    for _ in range(len(s.definition.fields) + 1):
        pending = [f for f in s.visible_fields()
                   if s.is_required(f.id) and f.id in s.errors() and not s.is_locked(f.id)]
        if not pending:
            return
        for field in pending:
            if field.type is FieldType.CHOICE:
                s.set_value(field.id, [field.choices[0].value] if field.multiple else field.choices[0].value)
            else:
                s.set_value(field.id, FILLERS[field.type.value])


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_each_bundled_form_can_be_completed_with_prefill(name: str) -> None:
    s = FormSession(load_form(BUNDLED[name]), IDENTITY, today=TODAY)
    prefilled = s.prefilled_fields
    assert {f.prefill for f in s.definition.fields if f.id in prefilled} >= {
        "identity.name", "identity.sex", "identity.birth_date", "identity.id_number", "identity.address"}
    fill_generically(s)
    assert s.is_complete(), s.errors()
    answers = s.answers()
    json.dumps(answers)  # what gets submitted is plain JSON
    for field in s.definition.fields:
        if field.prefill and field.id in answers and field.id in prefilled:
            shown = answers[field.id]
            if field.type is FieldType.ADDRESS:
                shown = display_text(field, shown, "zh-CN")
            assert shown == IDENTITY[field.prefill]
    printed = s.printable("zh-CN")
    assert printed["sections"] and all(r["text"] for sec in printed["sections"] for r in sec["rows"]
                                       if answers.get(r["id"]) not in (None, False))


def _form(form_id: str) -> FormSession:
    return FormSession(load_form(BUNDLED[f"{form_id}.json"]), IDENTITY, today=TODAY)


def test_residence_permit_relevance_and_age_rule() -> None:
    s = _form("residence_permit_application")
    def visible() -> set[str]:
        return {f.id for f in s.visible_fields()}
    assert not visible() & {"employer", "housing_type", "school", "postal_address"}
    s.set_value("basis", "study")
    assert "school" in visible() and "employer" not in visible()
    s.set_value("collection_method", "post")
    assert s.is_required("postal_address")
    young = FormSession(s.definition, dict(IDENTITY, **{"identity.birth_date": "2010-01-01"}), today=TODAY)
    assert young.errors()["birth_date"].code == "constraint"
    assert young.is_locked("birth_date")


def test_business_scope_is_only_asked_for_some_business_types() -> None:
    s = _form("individual_business_registration")
    for business_type, scope, premises, url, food in [
        ("retail", True, True, False, False), ("catering", False, True, False, True),
        ("repair", False, True, False, False), ("online", True, False, True, False),
    ]:
        s.set_value("business_type", business_type)
        assert (s.is_relevant("business_scope"), s.is_relevant("premises_address"),
                s.is_relevant("shop_url"), s.is_relevant("food_license")) == (scope, premises, url, food)
    s.set_value("shop_url", "shop.example.com")
    assert s.errors()["shop_url"].code == "constraint"
    s.set_value("shop_url", "https://shop.example.com/store/42")
    assert "shop_url" not in s.errors()
    assert not s.is_relevant("trade_name")
    s.set_value("has_trade_name", True)
    assert s.is_required("trade_name")
    s.set_value("employees", "2.5")
    assert s.errors()["employees"].code == "not_integer"


def test_flexible_employment_uses_identity_in_rules() -> None:
    s = _form("flexible_employment_enrollment")
    assert s.is_relevant("household_type") and not s.is_relevant("nationality")
    hmt = dict(IDENTITY, **{"identity.document_type": "hmt_residence_permit", "identity.nationality": "CHN"})
    other = FormSession(s.definition, hmt, today=TODAY)
    assert other.is_relevant("nationality") and not other.is_relevant("household_type")
    assert other.values["nationality"] == "CHN"
    s.set_value("insurance_types", ["medical"])
    assert not s.is_relevant("contribution_level")
    s.set_value("insurance_types", ["medical", "pension"])
    assert s.is_required("contribution_level")
    s.set_value("bank_account", "6222 0212 3456 7890")
    assert s.errors()["bank_account"].code == "constraint"
    s.set_value("bank_account", "6222021234567890")
    assert "bank_account" not in s.errors()
    s.set_value("start_date", "2025-02-28")
    assert s.errors()["start_date"].code == "constraint"
