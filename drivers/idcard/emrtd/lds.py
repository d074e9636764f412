"""LDS1 files (ICAO 9303-10): EF.COM, DG1 (MRZ), DG2 (face), DG11 (more personal details) and
the :class:`~drivers.idcard.Identity` built from them — pure bytes, no I/O."""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import re

from ..identity import DocumentType, Identity, Sex
from . import mrz as mrz_module
from .tlv import Tlv, TlvError, find, parse_all, parse_one

#: file → (FID, short EF id).
FILES = {"COM": (0x011E, 0x1E), "DG1": (0x0101, 0x01), "DG2": (0x0102, 0x02),
         "DG11": (0x010B, 0x0B), "SOD": (0x011D, 0x1D), "CardAccess": (0x011C, 0x1C)}
#: EF.COM tag → data group name.
DG_TAGS = {0x61: "DG1", 0x75: "DG2", 0x6B: "DG11", 0x6E: "DG14", 0x6F: "DG15"}

JPEG_SOI = b"\xff\xd8\xff"
JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
J2K_CODESTREAM = b"\xff\x4f\xff\x51"


def _outer(data: bytes, tag: int, what: str) -> list[Tlv]:
    item, _end = parse_one(data)
    if item.tag != tag:
        raise TlvError(f"{what} has the wrong outer tag")
    return parse_all(item.value)


def parse_com(data: bytes) -> list[str]:
    """The data groups EF.COM lists (names such as "DG1")."""
    items = _outer(data, 0x60, "EF.COM")
    tag_list = find(items, 0x5C)
    if tag_list is None:
        raise TlvError("EF.COM has no tag list")
    return [DG_TAGS[t] for t in tag_list.value if t in DG_TAGS]


def parse_dg1(data: bytes) -> mrz_module.Mrz:
    """The MRZ in DG1."""
    item = find(_outer(data, 0x61, "DG1"), 0x5F1F)
    if item is None:
        raise TlvError("DG1 has no MRZ")
    try:
        return mrz_module.parse(item.value.decode("ascii"))
    except UnicodeDecodeError:
        raise TlvError("DG1's MRZ is not ASCII") from None


def face_image(data: bytes) -> bytes:
    """The first face image in DG2 (JPEG or JPEG 2000 bytes as stored)."""
    items = _outer(data, 0x75, "DG2")
    group = find(items, 0x7F61)
    if group is None:
        raise TlvError("DG2 has no biometric information group")
    for template in group.children():
        if template.tag != 0x7F60:
            continue
        block = find(template.children(), 0x5F2E) or find(template.children(), 0x7F2E)
        if block is None:
            continue
        record = block.value
        for signature in (JPEG_SOI, JP2_SIGNATURE, J2K_CODESTREAM):
            start = record.find(signature)
            if start >= 0:
                return record[start:]
    raise TlvError("DG2 holds no JPEG or JPEG 2000 face image")


def face_jpeg(data: bytes) -> bytes:
    """The DG2 face as JPEG: JPEG passes through (checked), JPEG 2000 is decoded with Pillow."""
    from PIL import Image, UnidentifiedImageError

    image = face_image(data)
    try:
        with Image.open(io.BytesIO(image)) as decoded:
            decoded.load()
            if decoded.format == "JPEG":
                return image
            out = io.BytesIO()
            decoded.convert("RGB").save(out, format="JPEG", quality=92)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise TlvError("the DG2 face image does not decode") from exc


def build_dg2(image: bytes) -> bytes:
    """DG2 around one image with a minimal ISO 19794-5 header (emulator side)."""
    from .tlv import build

    record = (b"FAC\x00" + b"010\x00" + (14 + 20 + 12 + len(image)).to_bytes(4, "big") + b"\x00\x01"
              + (20 + 12 + len(image)).to_bytes(4, "big") + bytes(16) + b"\x01" + bytes(11) + image)
    template = build(0x7F60, build(0xA1, build(0x80, b"\x01\x01")) + build(0x5F2E, record))
    return build(0x75, build(0x7F61, build(0x02, b"\x01") + template))


def parse_dg11(data: bytes) -> dict[str, str]:
    """Selected DG11 fields: full_name, personal_number, birth_date (YYYYMMDD), address."""
    items = _outer(data, 0x6B, "DG11")
    names = {0x5F0E: "full_name", 0x5F10: "personal_number", 0x5F2B: "birth_date", 0x5F42: "address",
             0x5F11: "place_of_birth"}
    out = {}
    for tag, name in names.items():
        item = find(items, tag)
        if item is not None:
            try:
                out[name] = item.value.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise TlvError("a DG11 field is not UTF-8") from None
    return out


def identity_from(dg1: mrz_module.Mrz, photo_jpeg: bytes | None, photo_reason: str | None,
                  dg11: dict[str, str] | None = None, today: _dt.date | None = None,
                  authenticated: str | None = None, missing_files: tuple[str, ...] = ()) -> Identity:
    """The :class:`Identity` of a passport from its data groups."""
    dg11 = dg11 or {}
    birth = mrz_module.yymmdd_date(dg1.birth_date, future=False, today=today)
    full = dg11.get("birth_date", "")
    if re.fullmatch(r"\d{8}", full):
        # DG11's date is optional and sometimes partial: then keep the MRZ's.
        with contextlib.suppress(ValueError):
            birth = _dt.date(int(full[:4]), int(full[4:6]), int(full[6:]))
    name = dg11.get("full_name", "").replace("<<", " ").replace("<", " ").strip() or dg1.name_latin
    return Identity(
        document_type=DocumentType.PASSPORT,
        name=name,
        name_latin=dg1.name_latin,
        sex=Sex.from_code(dg1.sex if dg1.sex in "MF" else "X"),
        birth_date=birth,
        nationality=dg1.nationality.replace("<", "") or dg1.issuing_state,
        document_number=dg1.document_number,
        address=dg11.get("address") or None,
        issuing_authority=dg1.issuing_state,
        valid_until=mrz_module.yymmdd_date(dg1.expiry_date, future=True, today=today),
        photo_jpeg=photo_jpeg,
        photo_missing_reason=photo_reason,
        authenticated=authenticated,
        missing_files=missing_files,
    )
