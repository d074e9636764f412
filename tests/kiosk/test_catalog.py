"""The service catalog: the bundled demo catalog, its languages, and rejection of bad catalogs."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from typing import Any

import jsonschema
import pytest

from kiosk.catalog import Catalog, CatalogError, Service, catalog_schema
from kiosk.forms import FieldType, FormDefinitionError, FormSession, LocalizedText, load_form

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
ROOT = resources.files("kiosk.catalog.bundled")
CATALOG_JSON = json.loads(ROOT.joinpath("catalog.json").read_text("utf-8"))
FORM_JSONS = {e.name: json.loads(e.read_text("utf-8")) for e in ROOT.joinpath("forms").iterdir()
              if e.name.endswith(".json")}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load_bundled()


def test_bundled_catalog_has_the_demo_services(catalog: Catalog) -> None:
    ids = {s.id for s in catalog.services}
    assert {"residence_permit", "flexible_employment_insurance", "individual_business"} <= ids
    assert catalog.service("residence_permit").title.zh_cn == "居住证申领"
    assert catalog.service("flexible_employment_insurance").title.zh_cn == "灵活就业人员参保登记"
    assert catalog.service("individual_business").title.zh_cn == "个体工商户设立登记"
    for service in catalog.services:
        assert catalog.form_for(service.id).id == service.form_id
        assert service in catalog.services_in(service.category)
        assert catalog.category(service.category).title.en


def test_every_service_has_a_full_notice(catalog: Catalog) -> None:
    for service in catalog.services:
        notice = service.notice
        assert notice.eligibility and notice.materials
        for lang in ("zh-CN", "en"):
            view = service.view(lang)
            assert set(view) == {"id", "category", "title", "summary", "department", "needs_a4", "processing_time",
                                 "accepted_documents", "identity_level", "notice"}
            assert set(view["notice"]) == {"eligibility", "materials", "fees", "processing_time", "collection",
                                           "paragraphs", "legal_basis"}
            assert all(view["notice"][key] for key in ("eligibility", "materials", "fees", "processing_time",
                                                       "collection"))
            assert view["processing_time"] == service.processing_time.text(lang)


def test_accepted_documents(catalog: Catalog) -> None:
    assert catalog.service("residence_permit").accepts("resident_id")
    assert not catalog.service("residence_permit").accepts("passport")


def test_bundled_forms_use_every_field_type_and_rule_kind(catalog: Catalog) -> None:
    fields = [f for form in catalog.forms.values() for f in form.fields]
    assert {f.type for f in fields} == set(FieldType)
    assert {f.prefill for f in fields} >= {"identity.name", "identity.sex", "identity.birth_date",
                                            "identity.id_number", "identity.address"}
    for form in catalog.forms.values():
        assert any(f.relevant for f in form.fields), form.id
        assert any(f.constraint for f in form.fields), form.id
        assert any(f.required for f in form.fields), form.id
        assert form.print_layout.sections
        printed = {fid for section in form.print_layout.sections for fid in section.fields}
        assert printed == set(form.field_ids), f"{form.id} leaves fields off the printed form"
    assert any(f.constraint is not None and f.constraint.to_source() == "(age(.) >= 16)" for f in fields)


# --- both languages everywhere ------------------------------------------------------------


def _strings(data: Any, path: str = "$", under_zh: bool = False) -> Iterator[tuple[str, str, bool]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, f"{path}.{key}", key == "zh-CN")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, f"{path}[{index}]", False)
    elif isinstance(data, str):
        yield path, data, under_zh


def _localized(data: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(data, dict):
        if "zh-CN" in data or "en" in data:
            yield path, data
        for key, value in data.items():
            yield from _localized(value, f"{path}.{key}")
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _localized(value, f"{path}[{index}]")


@pytest.mark.parametrize("name", ["catalog.json", *sorted(FORM_JSONS)])
def test_every_user_visible_string_has_zh_cn_and_en(name: str) -> None:
    document = CATALOG_JSON if name == "catalog.json" else FORM_JSONS[name]
    texts = list(_localized(document))
    assert texts
    for path, text in texts:
        assert set(text) == {"zh-CN", "en"}, path
        assert text["zh-CN"].strip() and text["en"].strip(), path
        assert not CJK.search(text["en"]), f"{path}: Chinese characters in the English text"
        assert text["zh-CN"] != text["en"] or not re.search("[A-Za-z]{3}", text["en"]), f"{path}: untranslated"
    for path, value, under_zh in _strings(document):
        if CJK.search(value):
            assert under_zh, f"{path}: Chinese text outside a {{zh-CN, en}} pair"


def _walk_text(value: Any) -> Iterator[LocalizedText]:
    if isinstance(value, LocalizedText):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk_text(item)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from _walk_text(getattr(value, name))


def test_every_loaded_text_object_has_both_languages(catalog: Catalog) -> None:
    objects = [*catalog.categories, *catalog.services, *catalog.forms.values()]
    texts = [t for obj in objects for t in _walk_text(obj)]
    assert len(texts) > 100
    assert all(t.zh_cn and t.en and not CJK.search(t.en) for t in texts)


def test_form_views_are_complete_in_both_languages(catalog: Catalog) -> None:
    identity = {"identity.name": "李秀英", "identity.sex": "female", "identity.birth_date": "1985-06-15",
                "identity.document_type": "resident_id"}
    for form in catalog.forms.values():
        session = FormSession(form, identity, today=dt.date(2025, 3, 1))
        session.reveal_errors()
        for lang in ("zh-CN", "en"):
            for row in session.view(lang):
                shown = [row["label"], row["hint"] or "x", row["error"] or "x", *(c["label"] for c in row["choices"])]
                assert all(shown), (form.id, row["id"], lang)
                if lang == "en":
                    assert not any(CJK.search(s) for s in shown), (form.id, row["id"])


# --- rejection of bad catalogs -------------------------------------------------------------


def _forms() -> list[Any]:
    return [load_form(data) for data in FORM_JSONS.values()]


@pytest.mark.parametrize(("path", "value", "problem_path", "fragment"), [
    (["services", 0, "category"], "tax", "$.services[0].category", "unknown category 'tax'"),
    (["services", 1, "form_id"], "ghost_form", "$.services[1].form_id", "no form 'ghost_form'"),
    (["services", 1, "form_version"], 7, "$.services[1].form_version", "has no version 7"),
    (["services", 2, "id"], "residence_permit", "$.services[2].id", "duplicate service id"),
    (["categories", 1, "id"], "public_security", "$.categories[1].id", "duplicate category id"),
    (["services", 0, "needs_a4"], "yes", "$.services[0].needs_a4", "is not of type 'boolean'"),
    (["services", 0, "notice", "fees"], None, "$.services[0].notice", "'fees' is a required property"),
    (["services", 0, "notice", "materials"], [], "$.services[0].notice.materials", "non-empty"),
    (["services", 0, "title", "en"], None, "$.services[0].title", "'en' is a required property"),
    (["services", 0, "accepted_documents"], ["driving_licence"], "$.services[0].accepted_documents[0]",
     "is not one of"),
    (["services", 0, "identity_level"], 3, "$.services[0].identity_level", "is greater than the maximum"),
    (["services", 0, "notice", "materials", 2, "intake"], "fax", "$.services[0].notice.materials[2].intake",
     "is not one of"),
    (["services", 0, "notice", "materials", 2, "pages"], 0, "$.services[0].notice.materials[2].pages",
     "is less than the minimum"),
    (["version"], None, "$", "'version' is a required property"),
])
def test_each_catalog_mistake_is_reported_with_its_json_path(path: list[Any], value: Any, problem_path: str,
                                                             fragment: str) -> None:
    data = copy.deepcopy(CATALOG_JSON)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    with pytest.raises(CatalogError) as caught:
        Catalog.from_json(data, _forms())
    matching = [p for p in caught.value.problems if p.path == problem_path]
    assert matching, str(caught.value)
    assert any(fragment in p.message for p in matching), str(caught.value)


def test_catalog_from_bytes_and_bad_json() -> None:
    assert Catalog.from_json(json.dumps(CATALOG_JSON).encode(), _forms()).version == CATALOG_JSON["version"]
    with pytest.raises(CatalogError) as caught:
        Catalog.from_json(b"{", _forms())
    assert caught.value.paths == ["$"]


def test_bad_raw_form_is_a_form_definition_error() -> None:
    broken = copy.deepcopy(next(iter(FORM_JSONS.values())))
    broken["fields"][0]["type"] = "handwriting"
    with pytest.raises(FormDefinitionError, match=r"\$\.fields\[0\]\.type"):
        Catalog.from_json(CATALOG_JSON, [broken])


def test_form_versions() -> None:
    forms = list(FORM_JSONS.values())
    newer = copy.deepcopy(FORM_JSONS["residence_permit_application.json"])
    newer["version"] = 2
    catalog = Catalog.from_json(CATALOG_JSON, [*forms, newer])
    assert catalog.form("residence_permit_application").version == 2
    assert catalog.form("residence_permit_application", 1).version == 1
    assert catalog.form_for("residence_permit").version == 2
    pinned = copy.deepcopy(CATALOG_JSON)
    pinned["services"][0]["form_version"] = 1
    assert Catalog.from_json(pinned, [*forms, newer]).form_for("residence_permit").version == 1
    with pytest.raises(CatalogError, match="given twice"):
        Catalog.from_json(CATALOG_JSON, [*forms, forms[0]])
    with pytest.raises(KeyError, match="no form"):
        catalog.form("residence_permit_application", 3)


def test_lookups_fail_clearly(catalog: Catalog) -> None:
    with pytest.raises(KeyError, match="no service 'nope'"):
        catalog.service("nope")
    with pytest.raises(KeyError, match="no category 'nope'"):
        catalog.services_in("nope")
    assert isinstance(catalog.service("residence_permit"), Service)


def test_catalog_schema_is_valid_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(catalog_schema())


def test_the_packaged_catalog_and_forms_pass_their_json_schemas() -> None:
    # The kiosk loads its packaged catalog without the JSON Schema step (start-up time); this is
    # where that step is done for it, so a packaged file that breaks its schema fails the build.
    from kiosk.forms.definition import form_schema
    from kiosk.forms.problems import schema_problems

    root = resources.files("kiosk.catalog.bundled")
    assert schema_problems(json.loads(root.joinpath("catalog.json").read_bytes()), catalog_schema()) == []
    forms = [entry for entry in root.joinpath("forms").iterdir() if entry.name.endswith(".json")]
    assert len(forms) >= 3
    for entry in forms:
        assert schema_problems(json.loads(entry.read_bytes()), form_schema()) == [], entry.name


def test_the_packaged_catalog_loads_without_jsonschema() -> None:
    # What the journey thread does before the first frame must not import jsonschema.
    result = subprocess.run(
        [sys.executable, "-c", "import sys\nfrom kiosk.catalog import Catalog\nCatalog.load_bundled()\n"
                               "print('jsonschema' in sys.modules)"],
        capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_pulled_catalog_is_still_checked_against_the_schema() -> None:
    bundled = Catalog.load_bundled()
    document = copy.deepcopy(CATALOG_JSON)
    document["services"][0]["unexpected"] = 1
    with pytest.raises(CatalogError) as caught:
        Catalog.from_json(document, bundled.forms.values())
    assert any("unexpected" in p.message for p in caught.value.problems)


def test_materials_say_how_the_terminal_takes_them(catalog: Catalog) -> None:
    permit = catalog.service("residence_permit")
    scanned = permit.scanned_materials
    assert [m.pages for m in scanned] == [2, 1] and all(m.intake == "scan" for m in scanned)
    intakes = {m.intake for s in catalog.services for m in s.notice.materials}
    assert intakes == {"scan", "platform", "terminal", "counter"}
    assert {s.identity_level for s in catalog.services} == {1, 2}
    material = permit.view("en")["notice"]["materials"][2]
    assert (material["intake"], material["pages"], material["required"]) == ("scan", 2, False)


def test_material_intake_and_identity_level_have_defaults() -> None:
    data = copy.deepcopy(CATALOG_JSON)
    service = data["services"][0]
    del service["identity_level"]
    for material in service["notice"]["materials"]:
        material.pop("intake", None)
        material.pop("pages", None)
    loaded = Catalog.from_json(data, _forms()).services[0]
    assert loaded.identity_level == 2 and not loaded.scanned_materials
    assert {(m.intake, m.pages) for m in loaded.notice.materials} == {("counter", 1)}
