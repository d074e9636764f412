"""The picker-only field types: address (GB/T 2260 code + detail) and signature (strokes)."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.forms import FormDefinitionError, FormSession, load_form
from kiosk.forms.rich_values import MAX_POINTS, signature_value

TODAY = dt.date(2026, 6, 1)
SIGNATURE = {"w": 800, "h": 300, "strokes": [[10, 20, 30, 40, 50, 60], [100, 100, 120, 110]]}


def _form(fields: list[dict]) -> FormSession:
    definition = load_form({
        "id": "widgets", "version": 1, "title": {"zh-CN": "测试", "en": "Test"},
        "fields": fields,
        "print_layout": {"sections": [{"title": {"zh-CN": "全部", "en": "All"}, "fields": [f["id"] for f in fields]}]},
    })
    return FormSession(definition, {"identity.address": "北京市东城区景山前街4号"}, today=TODAY)


ADDRESS = {"id": "home", "type": "address", "required": True, "prefill": "identity.address",
           "label": {"zh-CN": "住址", "en": "Address"}}
SIGN = {"id": "sign", "type": "signature", "required": True, "label": {"zh-CN": "签名", "en": "Signature"}}


def test_address_is_prefilled_from_the_id_card_and_printed_whole() -> None:
    s = _form([ADDRESS])
    assert s.values["home"] == {"code": "110101", "names": ["北京市", "东城区"], "detail": "景山前街4号"}
    assert "home" in s.prefilled_fields and s.is_complete()
    assert s.printable("zh-CN")["sections"][0]["rows"][0]["text"] == "北京市东城区景山前街4号"


def test_address_needs_a_leaf_code_from_the_table() -> None:
    s = _form([ADDRESS])
    s.set_value("home", {"code": "440300", "detail": "深南大道1号"})
    assert s.errors()["home"].code == "address_incomplete"
    assert s.values["home"]["names"] == ["广东省", "深圳市"]  # kept, so the picker can go on
    s.set_value("home", {"code": "440305", "detail": "深南大道1号", "names": ["假的"]})
    assert s.values["home"]["names"] == ["广东省", "深圳市", "南山区"]  # names come from the table
    assert s.is_complete()
    s.set_value("home", {"code": "999999", "detail": "x"})
    assert s.errors()["home"].code == "invalid_address" and s.values["home"] is None
    s.set_value("home", {"code": "440305", "detail": "路" * 121})
    assert s.errors()["home"].code == "too_long"
    s.set_value("home", {"code": "", "detail": ""})
    assert s.errors()["home"].code == "required"
    s.set_value("home", 42)
    assert s.errors()["home"].code == "invalid_address"


def test_address_rules_see_the_division_code() -> None:
    field = dict(ADDRESS, constraint="regex(., '44.*')",
                 constraint_message={"zh-CN": "须在广东省", "en": "Must be in Guangdong"})
    s = _form([field])
    assert s.errors()["home"].code == "constraint"
    s.set_value("home", {"code": "440305", "detail": "1号"})
    assert s.is_complete()


def test_signature_is_required_kept_as_strokes_and_shown_as_signed() -> None:
    s = _form([SIGN])
    assert s.errors()["sign"].code == "not_signed"
    s.set_value("sign", SIGNATURE)
    assert s.is_complete() and s.answers()["sign"] == SIGNATURE
    assert s.view("zh-CN")[0]["text"] == "已签名" and s.view("en")[0]["text"] == "Signed"
    # Answers are copies: the caller cannot change the session's strokes.
    s.answers()["sign"]["strokes"][0][0] = 999
    assert s.values["sign"] == SIGNATURE
    s.set_value("sign", {"w": 800, "h": 300, "strokes": []})  # cleared
    assert s.errors()["sign"].code == "not_signed"
    s.set_value("sign", {"w": 800, "h": 300, "strokes": [[1, 2, 3]]})
    assert s.errors()["sign"].code == "invalid_signature"


def test_signature_points_from_qml_are_whole_and_clamped_to_the_pad() -> None:
    value, problem = signature_value({"w": 800.0, "h": 300.0, "strokes": [[-5.0, 10.0, 900.0, 400.0]]})
    assert problem is None and value == {"w": 800, "h": 300, "strokes": [[0, 10, 800, 300]]}
    assert signature_value({"w": 800, "h": 300, "strokes": [[0.5, 1]]})[1] == "invalid_signature"
    assert signature_value({"w": 800, "h": 300, "strokes": [[True, 1]]})[1] == "invalid_signature"
    too_many = [[1, 1] * 1000] * (MAX_POINTS // 1000 + 1)
    assert signature_value({"w": 800, "h": 300, "strokes": too_many})[1] == "invalid_signature"


_number = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=True), st.booleans(), st.text(max_size=3),
                    st.none())


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({"w": _number, "h": _number,
                              "strokes": st.one_of(st.lists(st.lists(_number, max_size=8), max_size=5), _number)}))
def test_signature_parser_never_raises_and_keeps_only_sane_drawings(raw) -> None:
    value, problem = signature_value(raw)
    if value is not None:
        assert problem is None
        assert 1 <= value["w"] <= 4000 and 1 <= value["h"] <= 4000
        for stroke in value["strokes"]:
            assert len(stroke) % 2 == 0 and all(type(v) is int and v >= 0 for v in stroke)
        json.dumps(value)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=40),
                 st.fixed_dictionaries({"code": st.text(max_size=8), "detail": st.text(max_size=130)}),
                 st.integers(), st.none()))
def test_address_entries_never_raise(raw) -> None:
    s = _form([ADDRESS])
    s.set_value("home", raw)
    s.view("en")
    s.printable("zh-CN")


def test_schema_and_checks_for_the_new_types() -> None:
    with pytest.raises(FormDefinitionError):
        _form([dict(ADDRESS, max_length=10)])  # only text fields take max_length
    with pytest.raises(FormDefinitionError):
        _form([dict(SIGN, prefill="identity.name")])


def test_a_bundled_service_uses_address_and_signature() -> None:
    text = resources.files("kiosk.catalog.bundled.forms").joinpath("individual_business_registration.json").read_bytes()
    definition = load_form(text)
    types = {f.id: f.type.value for f in definition.fields}
    assert types["operator_address"] == "address" and types["operator_signature"] == "signature"
    s = FormSession(definition, {"identity.address": "浙江省杭州市西湖区文三路198号3幢2单元501室"}, today=TODAY)
    assert s.values["operator_address"]["code"] == "330106"
