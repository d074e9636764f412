"""The service catalog: categories, services and their notices (申报须知), and the forms they use.

The catalog normally comes from the central platform and is cached offline; the terminal also
ships a bundled demo catalog (:meth:`Catalog.load_bundled`). Loading checks the JSON against
``schema/catalog.schema.json`` and then checks cross-references (categories, forms), reporting
every problem with its JSON path in one :class:`CatalogError`. Catalog objects are immutable and
may be shared between threads.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from kiosk.forms import FormDefinition, FormDefinitionError, LocalizedText, load_form
from kiosk.forms.problems import DefinitionError, Problem, decode_json, json_path, schema_problems
from kiosk.forms.text import check_language

#: Document types a service may accept, as in the identity prefill's ``identity.document_type``.
DOCUMENT_TYPES: tuple[str, ...] = ("resident_id", "passport", "hmt_residence_permit", "foreign_permanent_resident")


class CatalogError(DefinitionError):
    """A catalog was rejected; ``problems`` names the JSON path of every mistake."""

    kind = "catalog"


@dataclass(frozen=True)
class Category:
    """A group of services on the home screen (e.g. 社会保障 / Social security)."""

    id: str
    title: LocalizedText
    description: LocalizedText | None = None
    icon: str | None = None


#: How the terminal takes a material (see the catalog schema's ``intake``).
INTAKES = ("scan", "platform", "terminal", "counter")


@dataclass(frozen=True)
class Material:
    """One item the citizen must bring or provide; ``intake`` says how the terminal takes it
    ("scan" on the document camera, ``pages`` pages; "platform" holds it already, so it is
    skipped; "terminal" by another device; "counter" at the counter)."""

    name: LocalizedText
    note: LocalizedText | None = None
    original: bool = True
    copies: int = 0
    required: bool = True
    pages: int = 1
    intake: str = "counter"

    @property
    def scanned(self) -> bool:
        """Whether the citizen scans it at the terminal."""
        return self.intake == "scan"


@dataclass(frozen=True)
class Notice:
    """申报须知: who may apply, what to bring, fees, how long it takes, where to collect the result."""

    eligibility: tuple[LocalizedText, ...]
    materials: tuple[Material, ...]
    fees: LocalizedText
    processing_time: LocalizedText
    collection: LocalizedText
    paragraphs: tuple[LocalizedText, ...] = ()
    legal_basis: tuple[LocalizedText, ...] = ()

    def view(self, lang: str) -> dict[str, Any]:
        """The notice in ``lang`` as plain data for the notice screen and the receipt."""
        check_language(lang)
        return {
            "eligibility": [t.text(lang) for t in self.eligibility],
            "materials": [{"name": m.name.text(lang), "note": m.note.text(lang) if m.note else None,
                           "original": m.original, "copies": m.copies, "required": m.required,
                           "pages": m.pages, "intake": m.intake}
                          for m in self.materials],
            "fees": self.fees.text(lang),
            "processing_time": self.processing_time.text(lang),
            "collection": self.collection.text(lang),
            "paragraphs": [t.text(lang) for t in self.paragraphs],
            "legal_basis": [t.text(lang) for t in self.legal_basis],
        }


@dataclass(frozen=True)
class Service:
    """One government service a citizen can apply for at the terminal."""

    id: str
    category: str
    title: LocalizedText
    summary: LocalizedText
    department: LocalizedText
    notice: Notice
    form_id: str
    form_version: int | None = None
    needs_a4: bool = False
    accepted_documents: tuple[str, ...] = DOCUMENT_TYPES
    #: 1 = 网证 alone suffices; 2 = a face check with 网证 or with an identity document.
    identity_level: int = 2

    @property
    def scanned_materials(self) -> tuple[Material, ...]:
        """The materials scanned at the terminal (the scanning step runs when there are any)."""
        return tuple(m for m in self.notice.materials if m.scanned)

    @property
    def processing_time(self) -> LocalizedText:
        """How long the department takes (from the notice)."""
        return self.notice.processing_time

    def accepts(self, document_type: str) -> bool:
        """Whether a citizen identified with this document type may apply."""
        return document_type in self.accepted_documents

    def view(self, lang: str) -> dict[str, Any]:
        """The service in ``lang`` as plain data: id, category, title, summary, department,
        needs_a4, processing_time, accepted_documents, identity_level and notice (see :meth:`Notice.view`)."""
        return {
            "id": self.id, "category": self.category, "title": self.title.text(lang),
            "summary": self.summary.text(lang), "department": self.department.text(lang),
            "needs_a4": self.needs_a4, "processing_time": self.processing_time.text(lang),
            "accepted_documents": list(self.accepted_documents), "identity_level": self.identity_level,
            "notice": self.notice.view(lang),
        }


@dataclass(frozen=True)
class Catalog:
    """Categories, services and the forms they use. Build with :meth:`from_json` or :meth:`load_bundled`."""

    version: str
    categories: tuple[Category, ...]
    services: tuple[Service, ...]
    forms: Mapping[tuple[str, int], FormDefinition]

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | bytes | str,
                  forms: Iterable[FormDefinition | Mapping[str, Any] | bytes | str],
                  *, packaged: bool = False) -> Catalog:
        """Validate catalog JSON and the forms it refers to; :class:`CatalogError` lists every problem.

        ``forms`` may mix loaded definitions and raw form JSON; a bad raw form raises
        :class:`~kiosk.forms.FormDefinitionError`. ``packaged``: the catalog shipped inside the
        product, whose JSON Schema check is done when it is built (see :func:`load_form`).
        """
        definitions = [f if isinstance(f, FormDefinition) else load_form(f, packaged=packaged) for f in forms]
        document, problems = decode_json(data)
        if not problems and not packaged:
            problems = schema_problems(document, catalog_schema())
        by_key: dict[tuple[str, int], FormDefinition] = {}
        for index, form in enumerate(definitions):
            if (form.id, form.version) in by_key:
                problems.append(Problem(f"forms[{index}]", f"form {form.id!r} version {form.version} given twice"))
            by_key[(form.id, form.version)] = form
        if problems:
            raise CatalogError(problems)
        categories = tuple(_category(item) for item in document["categories"])
        services = tuple(_service(item) for item in document["services"])
        problems = _cross_check(categories, services, by_key)
        if problems:
            raise CatalogError(problems)
        return cls(version=document["version"], categories=categories, services=services, forms=by_key)

    @classmethod
    def load_bundled(cls) -> Catalog:
        """The demo catalog and forms shipped as package data in ``kiosk.catalog.bundled``."""
        root = resources.files("kiosk.catalog.bundled")
        forms = []
        for entry in sorted(root.joinpath("forms").iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".json"):
                continue
            try:
                forms.append(load_form(entry.read_bytes(), packaged=True))
            except FormDefinitionError as exc:
                raise FormDefinitionError(Problem(f"{entry.name}:{p.path}", p.message) for p in exc.problems) from None
        return cls.from_json(root.joinpath("catalog.json").read_bytes(), forms, packaged=True)

    def category(self, category_id: str) -> Category:
        """The category with this id; :class:`KeyError` if there is none."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(f"catalog {self.version} has no category {category_id!r}")

    def service(self, service_id: str) -> Service:
        """The service with this id; :class:`KeyError` if there is none."""
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(f"catalog {self.version} has no service {service_id!r}")

    def services_in(self, category_id: str) -> list[Service]:
        """Services of one category, in catalog order."""
        self.category(category_id)
        return [s for s in self.services if s.category == category_id]

    def form(self, form_id: str, version: int | None = None) -> FormDefinition:
        """A form by id: the given version, or the newest one; :class:`KeyError` if absent."""
        versions = [v for (fid, v) in self.forms if fid == form_id and (version is None or v == version)]
        if not versions:
            wanted = form_id if version is None else f"{form_id} version {version}"
            raise KeyError(f"catalog {self.version} has no form {wanted}")
        return self.forms[(form_id, max(versions))]

    def form_for(self, service_id: str) -> FormDefinition:
        """The form a service uses (its pinned version, else the newest)."""
        service = self.service(service_id)
        return self.form(service.form_id, service.form_version)


@lru_cache(maxsize=1)
def catalog_schema() -> dict[str, Any]:
    """The published JSON Schema for catalogs (read once from package data)."""
    text = resources.files("kiosk.catalog.schema").joinpath("catalog.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _text(data: Mapping[str, str] | None) -> LocalizedText | None:
    return None if data is None else LocalizedText.from_json(data)


def _texts(items: Iterable[Mapping[str, str]]) -> tuple[LocalizedText, ...]:
    return tuple(LocalizedText.from_json(item) for item in items)


def _category(item: Mapping[str, Any]) -> Category:
    return Category(item["id"], LocalizedText.from_json(item["title"]), _text(item.get("description")),
                    item.get("icon"))


def _service(item: Mapping[str, Any]) -> Service:
    notice = item["notice"]
    return Service(
        id=item["id"],
        category=item["category"],
        title=LocalizedText.from_json(item["title"]),
        summary=LocalizedText.from_json(item["summary"]),
        department=LocalizedText.from_json(item["department"]),
        notice=Notice(
            eligibility=_texts(notice["eligibility"]),
            materials=tuple(Material(LocalizedText.from_json(m["name"]), _text(m.get("note")),
                                     m.get("original", True), m.get("copies", 0), m.get("required", True),
                                     m.get("pages", 1), m.get("intake", "counter"))
                            for m in notice["materials"]),
            fees=LocalizedText.from_json(notice["fees"]),
            processing_time=LocalizedText.from_json(notice["processing_time"]),
            collection=LocalizedText.from_json(notice["collection"]),
            paragraphs=_texts(notice.get("paragraphs", ())),
            legal_basis=_texts(notice.get("legal_basis", ())),
        ),
        form_id=item["form_id"],
        form_version=item.get("form_version"),
        needs_a4=item["needs_a4"],
        accepted_documents=tuple(item.get("accepted_documents", DOCUMENT_TYPES)),
        identity_level=item.get("identity_level", 2),
    )


def _cross_check(categories: tuple[Category, ...], services: tuple[Service, ...],
                 forms: Mapping[tuple[str, int], FormDefinition]) -> list[Problem]:
    problems = []
    category_ids: set[str] = set()
    for index, category in enumerate(categories):
        if category.id in category_ids:
            problems.append(Problem(json_path(("categories", index, "id")), f"duplicate category id {category.id!r}"))
        category_ids.add(category.id)
    service_ids: set[str] = set()
    form_ids = {fid for fid, _ in forms}
    for index, service in enumerate(services):
        if service.id in service_ids:
            problems.append(Problem(json_path(("services", index, "id")), f"duplicate service id {service.id!r}"))
        service_ids.add(service.id)
        if service.category not in category_ids:
            problems.append(Problem(json_path(("services", index, "category")),
                                    f"unknown category {service.category!r}"))
        if service.form_id not in form_ids:
            problems.append(Problem(json_path(("services", index, "form_id")), f"no form {service.form_id!r} given"))
        elif service.form_version is not None and (service.form_id, service.form_version) not in forms:
            problems.append(Problem(json_path(("services", index, "form_version")),
                                    f"form {service.form_id!r} has no version {service.form_version}"))
    return problems
