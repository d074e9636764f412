"""What a document the platform issues is made from: the facts of one case, as plain data, and
how they read on paper and on the public verification page.

The case handling hands a :class:`CaseFacts` to ``central.certificates``; nothing here reads a
table. Labels of the demo catalog's services and of the answers a certificate prints live here,
so a certificate reads the same whatever the terminal's language was.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime

#: Document kinds the platform issues.
ACCEPTANCE_RECEIPT = "acceptance_receipt"
INSURANCE_CERTIFICATE = "flexible_employment_insurance_certificate"
KINDS = (ACCEPTANCE_RECEIPT, INSURANCE_CERTIFICATE)
KIND_TITLES = {
    ACCEPTANCE_RECEIPT: ("受理凭证", "Acceptance receipt"),
    INSURANCE_CERTIFICATE: ("灵活就业人员参保证明",
                            "Certificate of social insurance enrollment (flexible employment)"),
}
#: The demo catalog's service whose completion yields the insurance certificate.
INSURANCE_SERVICE = "flexible_employment_insurance"
#: Service id -> (title, department) of the bundled demo catalog; a case may name its own.
SERVICES = {
    "residence_permit": ("居住证申领", "市公安局"),
    INSURANCE_SERVICE: ("灵活就业人员参保登记", "市社会保险事业管理中心"),
    "individual_business": ("个体工商户设立登记", "区市场监督管理局"),
}
ID_DOCUMENTS = {"resident_id": "居民身份证", "passport": "护照",
                "foreign_permanent_resident": "外国人永久居留身份证",
                "hk_macao_taiwan_residence": "港澳台居民居住证"}
EMPLOYMENT = {"self_employed": "个体经营（无雇工）", "part_time": "非全日制从业",
              "platform": "新就业形态（平台就业）", "other": "其他灵活就业"}
INSURANCE = {"pension": "企业职工基本养老保险", "medical": "职工基本医疗保险"}


@dataclass(frozen=True)
class CaseFacts:
    """One case, as the documents print it. ``id_number`` and ``applicant_name`` exactly as
    printed; ``received_at`` when the platform received the application; ``completed_at`` when
    it was completed (办结), for a certificate; ``result``: the answers a certificate states
    (for the insurance certificate ``employment_type``, ``insurance_types`` (a list),
    ``contribution_level`` (percent) and ``start_date``); ``submission_id`` ties the document to
    the platform's submission (retention, hand-off)."""

    service_id: str
    receipt_number: str
    applicant_name: str
    id_number: str
    received_at: datetime
    id_document: str = "resident_id"
    completed_at: datetime | None = None
    result: dict = field(default_factory=dict)
    submission_id: str | None = None
    service_title: str | None = None
    department: str | None = None
    hall: str = ""

    @classmethod
    def from_mapping(cls, data: dict) -> CaseFacts:
        """Facts from plain data (JSON-like: times as ISO 8601 text or datetimes); unknown
        keys are ignored. Raises ``KeyError`` or ``ValueError`` for a missing or bad field."""
        for spec in fields(cls):
            if spec.default is MISSING and spec.default_factory is MISSING and \
                    spec.name not in data:
                raise KeyError(spec.name)
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        for name in ("received_at", "completed_at"):
            if isinstance(known.get(name), str):
                known[name] = datetime.fromisoformat(known[name])
        facts = cls(**known)
        if not isinstance(facts.received_at, datetime):
            raise ValueError("received_at is not a time")
        return facts

    @property
    def title(self) -> str:
        """The service's title (the case's own, else the demo catalog's, else its id)."""
        return self.service_title or SERVICES.get(self.service_id, (self.service_id, ""))[0]

    @property
    def issuing_department(self) -> str:
        """The department that handles the service."""
        return self.department or SERVICES.get(self.service_id, ("", "政务服务中心"))[1]

    @property
    def id_label(self) -> str:
        """The ID document's name, e.g. 居民身份证."""
        return ID_DOCUMENTS.get(self.id_document, "身份证件")


def mask_name(name: str) -> str:
    """A name as the verification page shows it: the first character, the rest starred."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def mask_id_number(number: str) -> str:
    """An ID number as the verification page shows it: the first 3 and last 4 characters."""
    number = number.strip()
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def chinese_date(moment: datetime | str) -> str:
    """``2026年12月05日`` for a datetime or an ISO date."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return f"{moment.year}年{moment.month:02d}月{moment.day:02d}日"


def insurance_rows(result: dict) -> list[tuple[str, str]]:
    """The insurance certificate's table: (label, value) from a completed case's ``result``."""
    types = result.get("insurance_types") or ["pension", "medical"]
    if isinstance(types, str):
        types = [types]
    rows = [("参保身份", "灵活就业人员"),
            ("灵活就业形式", EMPLOYMENT.get(str(result.get("employment_type", "")), "灵活就业")),
            ("参保险种", "、".join(INSURANCE.get(str(t), str(t)) for t in types))]
    if result.get("contribution_level") and "pension" in types:
        rows.append(("养老保险缴费档次", f"缴费基数的 {result['contribution_level']}%"))
    if result.get("start_date"):
        rows.append(("参保起始日期", chinese_date(str(result["start_date"]))))
    rows.append(("参保状态", "正常参保"))
    return rows


def statement(kind: str, facts: CaseFacts) -> str:
    """One sentence saying what the document certifies, with the name and ID number masked:
    the verification page shows it (no more personal data than is printed)."""
    who = f"{mask_name(facts.applicant_name)}（{facts.id_label} {mask_id_number(facts.id_number)}）"
    if kind == INSURANCE_CERTIFICATE:
        done = chinese_date(facts.completed_at or facts.received_at)
        return f"{who}已于{done}办理灵活就业人员参保登记，参保状态正常。"
    return (f"{who}于{chinese_date(facts.received_at)}提交的「{facts.title}」申请已收到，"
            f"受理编号 {facts.receipt_number}。")
