"""Turning what the citizen entered into typed field values, and the built-in checks per type.

Raw input arrives from the touchscreen as text (or as ``bool``/``list``/``date`` from pickers).
Full-width digits from Chinese input methods are folded to ASCII. Dates are stored as ISO
``YYYY-MM-DD`` strings, numbers as ``int``/``float``, multiple choices as lists in the order of
the definition. Phone numbers are normalised: mobiles to 11 digits, landlines to
``area-number[-extension]``.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass

from drivers.idcard.gb11643 import is_valid as is_valid_id_number
from drivers.idcard.gb11643 import normalize as normalize_id_number
from kiosk.forms.definition import FieldDefinition, FieldType
from kiosk.forms.expr import Value
from kiosk.forms.rich_values import MAX_DETAIL_LENGTH, address_text, address_value, signature_value
from kiosk.forms.text import LocalizedText

#: Mainland China mobile numbers.
MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 02x have three digits, all others four; local numbers never start 0 or 1.
_LANDLINE = re.compile(r"(0(?:10|2\d|[3-9]\d{2}))-?([2-9]\d{6,7})(?:(?:-|转|#|ext\.?)(\d{1,6}))?", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_TRUE = {"true", "1", "yes", "on", "是"}
_FALSE = {"false", "0", "no", "off", "否", ""}

MESSAGES: dict[str, LocalizedText] = {
    "required": LocalizedText("此项为必填项", "This field is required"),
    "not_ticked": LocalizedText("请勾选此项后继续", "Please tick this box to continue"),
    "invalid_number": LocalizedText("请输入数字", "Please enter a number"),
    "not_integer": LocalizedText("请输入整数", "Please enter a whole number"),
    "invalid_date": LocalizedText("请输入有效日期，例如 1990-01-31", "Please enter a valid date, e.g. 1990-01-31"),
    "invalid_phone": LocalizedText("请输入11位手机号码，或带区号的固定电话（如 010-62345678）",
                                   "Please enter an 11-digit mobile number or a landline with area code "
                                   "(e.g. 010-62345678)"),
    "invalid_mobile": LocalizedText("请输入11位手机号码", "Please enter an 11-digit mobile number"),
    "invalid_id_number": LocalizedText("公民身份号码不正确，请核对后重新输入",
                                       "This ID number is not valid; please check it and enter it again"),
    "invalid_choice": LocalizedText("请从列出的选项中选择", "Please choose one of the options shown"),
    "too_long": LocalizedText("内容过长，最多 {limit} 个字", "Too long: at most {limit} characters"),
    "constraint": LocalizedText("填写内容不符合要求", "This answer does not meet the requirements"),
    "invalid_address": LocalizedText("请从列表中选择所在的省、市、区县",
                                     "Please choose the province, city and county from the list"),
    "address_incomplete": LocalizedText("请选择到区县一级", "Please choose down to the county or district"),
    "invalid_signature": LocalizedText("签名未能识别，请清除后重新签名",
                                       "The signature could not be read; please clear it and sign again"),
    "not_signed": LocalizedText("请在签名框内签名", "Please sign in the signature box"),
}
_SIGNED = LocalizedText("已签名", "Signed")
_YES_NO = {True: LocalizedText("是", "Yes"), False: LocalizedText("否", "No")}


@dataclass(frozen=True)
class FieldError:
    """Why a field's answer is not acceptable: a stable ``code`` and the text to show."""

    code: str
    message: LocalizedText


def error(code: str, **values: object) -> FieldError:
    """The built-in :class:`FieldError` for ``code`` (a key of :data:`MESSAGES`)."""
    return FieldError(code, MESSAGES[code].format(**values) if values else MESSAGES[code])


@dataclass(frozen=True)
class Coerced:
    """An entry turned into a field value: ``value`` for rules and answers, ``text`` for the input box."""

    value: Value
    text: str
    error: FieldError | None = None


def coerce(definition: FieldDefinition, raw: object, today: _dt.date) -> Coerced:
    """Convert ``raw`` for ``definition``; format problems come back as ``error``, never raised."""
    if raw is None:
        return Coerced(False if definition.type is FieldType.CHECKBOX else None, "")
    kind = definition.type
    if kind is FieldType.CHECKBOX:
        return _checkbox(raw)
    if kind is FieldType.CHOICE:
        return _choice(definition, raw)
    if kind is FieldType.ADDRESS:
        return _address(raw)
    if kind is FieldType.SIGNATURE:
        value, code = signature_value(raw)
        return Coerced(value, "", error(code) if code else None)
    if isinstance(raw, _dt.date) and kind in (FieldType.DATE, FieldType.TEXT):
        raw = (raw.date() if isinstance(raw, _dt.datetime) else raw).isoformat()
    if kind is FieldType.NUMBER and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Coerced(raw, str(raw))
    if not isinstance(raw, str):
        return Coerced(None, "", error("invalid_number" if kind is FieldType.NUMBER else "invalid_choice"))
    text = _clean(raw)
    if not text:
        return Coerced(None, "")
    if kind is FieldType.NUMBER:
        return _number(definition, text)
    if kind is FieldType.DATE:
        return _date(text)
    if kind is FieldType.PHONE:
        return _phone(definition, text)
    if kind is FieldType.ID_NUMBER:
        number = normalize_id_number(text)
        return Coerced(number, text, None if is_valid_id_number(number, today) else error("invalid_id_number"))
    limit = definition.max_length
    return Coerced(text, text, error("too_long", limit=limit) if limit and len(text) > limit else None)


def display_text(definition: FieldDefinition, value: Value, lang: str) -> str:
    """A value as a citizen reads it on the review screen or the printed form."""
    if value is None:
        return ""
    if definition.type is FieldType.CHECKBOX:
        return _YES_NO[bool(value)].text(lang)
    if definition.type is FieldType.CHOICE:
        values = value if isinstance(value, list) else [value]
        labels = [c.label.text(lang) for v in values if (c := definition.choice(v)) is not None]
        return ("、" if lang == "zh-CN" else ", ").join(labels)
    if definition.type is FieldType.ADDRESS and isinstance(value, dict):
        return address_text(value)
    if definition.type is FieldType.SIGNATURE:
        return _SIGNED.text(lang)
    return str(value)


def rule_value(definition: FieldDefinition, value: Value) -> Value:
    """What rule expressions see of a value: an address is its division code, a signature
    is true once signed; other types are themselves."""
    if definition.type is FieldType.ADDRESS:
        return value.get("code") or None if isinstance(value, dict) else None
    if definition.type is FieldType.SIGNATURE:
        return True if value else None
    return value


def normalize_phone(text: str) -> str | None:
    """The normalised form of a mainland mobile or landline number, or None if it is neither."""
    compact = re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", text))
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact[len(prefix):].lstrip("-")
    if MOBILE.fullmatch(compact.replace("-", "")):
        return compact.replace("-", "")
    match = _LANDLINE.fullmatch(compact)
    if match is None:
        return None
    area, number, extension = match.groups()
    return f"{area}-{number}" + (f"-{extension}" if extension else "")


def _clean(raw: str) -> str:
    # NFKC folds full-width digits and letters from Chinese IMEs; control characters never
    # belong in a single-line answer and would garble the printed form.
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()


def _address(raw: object) -> Coerced:
    value, code = address_value(raw)
    if code is None:
        return Coerced(value, address_text(value) if value else "")
    problem = error("too_long", limit=MAX_DETAIL_LENGTH) if code == "too_long" else error(code)
    return Coerced(value, address_text(value) if value else "", problem)


def _checkbox(raw: object) -> Coerced:
    if isinstance(raw, bool):
        return Coerced(raw, "")
    if isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
        return Coerced(raw.strip().lower() in _TRUE, "")
    return Coerced(False, "", error("invalid_choice"))


def _choice(definition: FieldDefinition, raw: object) -> Coerced:
    picked = list(raw) if isinstance(raw, (list, tuple, set, frozenset)) else [raw]
    if not all(isinstance(v, str) for v in picked):
        return Coerced(None, "", error("invalid_choice"))
    picked = [v for v in picked if v != ""]
    known = [c.value for c in definition.choices]
    if any(v not in known for v in picked) or (len(picked) > 1 and not definition.multiple):
        return Coerced(None, "", error("invalid_choice"))
    if not picked:
        return Coerced(None, "")
    if definition.multiple:
        return Coerced([v for v in known if v in picked], "")
    return Coerced(picked[0], "")


def _number(definition: FieldDefinition, text: str) -> Coerced:
    compact = text.replace(" ", "")
    if len(compact) > 30 or not _NUMBER.fullmatch(compact):
        return Coerced(None, text, error("invalid_number"))
    if "." not in compact:
        return Coerced(int(compact), text)
    value = float(compact)
    if definition.integer:
        if not value.is_integer():
            return Coerced(None, text, error("not_integer"))
        return Coerced(int(value), text)
    return Coerced(value, text)


def _date(text: str) -> Coerced:
    match = _DATE.fullmatch(text)
    if match is None:
        return Coerced(None, text, error("invalid_date"))
    try:
        parsed = _dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return Coerced(None, text, error("invalid_date"))
    return Coerced(parsed.isoformat(), text)


def _phone(definition: FieldDefinition, text: str) -> Coerced:
    number = normalize_phone(text)
    if number is None or (definition.mobile_only and not MOBILE.fullmatch(number)):
        return Coerced(text, text, error("invalid_mobile" if definition.mobile_only else "invalid_phone"))
    return Coerced(number, text)
