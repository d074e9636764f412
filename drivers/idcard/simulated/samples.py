"""Built-in sample documents of the simulated reader: fictional people with realistic data.

The numbers follow GB 11643 (with valid check characters) but belong to nobody. The face photo is
NASA's public-domain portrait shipped with scikit-image (``skimage/data/astronaut.png``), cropped
to the 358×441 ID-photo format; without scikit-image the documents carry no photo and say why.
"""

from __future__ import annotations

import datetime as _dt
import functools
import io
from dataclasses import replace

from ...common.samples import sample_image_path
from ..identity import DocumentType, Identity, Sex

#: ID-photo size (26 mm × 32 mm at 350 dpi) and the crop of the source portrait around the face.
PHOTO_SIZE = (358, 441)
_PORTRAIT_CROP = (140, 10, 330, 244)

_NO_SAMPLE_PHOTO = "sample photo unavailable: install the 'sim' extra (scikit-image)"
_NO_WLT_DECODER = "card photo is WLT-encoded and no WLT decoder is configured"

_RESIDENT_ID = Identity(
    document_type=DocumentType.RESIDENT_ID,
    name="陈静怡",
    name_latin=None,
    sex=Sex.FEMALE,
    birth_date=_dt.date(1987, 3, 14),
    nationality="CHN",
    document_number="330106198703140429",
    ethnicity="汉",
    address="浙江省杭州市西湖区文三路198号3幢2单元501室",
    issuing_authority="杭州市公安局西湖分局",
    valid_from=_dt.date(2016, 5, 20),
    valid_until=_dt.date(2036, 5, 20),
)

_PASSPORT = Identity(
    document_type=DocumentType.PASSPORT,
    name="周晓梅",
    name_latin="ZHOU XIAOMEI",
    sex=Sex.FEMALE,
    birth_date=_dt.date(1990, 8, 2),
    nationality="CHN",
    document_number="EH6183524",
    issuing_authority="中华人民共和国国家移民管理局",
    valid_from=_dt.date(2021, 6, 15),
    valid_until=_dt.date(2031, 6, 14),
)

_HMT_PERMIT = Identity(
    document_type=DocumentType.HMT_RESIDENCE_PERMIT,
    name="梁志伟",
    name_latin=None,
    sex=Sex.MALE,
    birth_date=_dt.date(1994, 7, 11),
    nationality="CHN",
    document_number="810000199407116032",
    address="广东省深圳市福田区福华三路88号时代财富大厦1806室",
    issuing_authority="深圳市公安局福田分局",
    valid_from=_dt.date(2024, 3, 18),
    valid_until=_dt.date(2029, 3, 18),
    photo_missing_reason=_NO_WLT_DECODER,
)

#: key → (label for staff/demo screens, identity without photo, whether the reader yields a photo).
SAMPLE_DOCUMENTS: dict[str, tuple[str, Identity, bool]] = {
    "resident_id": ("居民身份证 · 陈静怡（模拟）", _RESIDENT_ID, True),
    "passport": ("护照 · 周晓梅（模拟）", _PASSPORT, True),
    "hmt_permit": ("港澳台居民居住证 · 梁志伟（模拟）", _HMT_PERMIT, False),
}


@functools.lru_cache(maxsize=1)
def sample_photo_jpeg() -> bytes | None:
    """The sample face photo as JPEG, or None without scikit-image. Reads a file (cached)."""
    from PIL import Image

    path = sample_image_path("astronaut.png")
    if path is None:
        return None
    with Image.open(path) as source:
        portrait = source.convert("RGB").crop(_PORTRAIT_CROP).resize(PHOTO_SIZE, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    portrait.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def sample_identity(key: str) -> Identity:
    """The built-in document ``key`` with its photo attached where the reader would yield one."""
    try:
        _label, identity, has_photo = SAMPLE_DOCUMENTS[key]
    except KeyError:
        raise ValueError(
            f"unknown sample document {key!r}; known: {', '.join(SAMPLE_DOCUMENTS)}"
        ) from None
    if not has_photo:
        return identity
    photo = sample_photo_jpeg()
    if photo is None:
        return replace(identity, photo_missing_reason=_NO_SAMPLE_PHOTO)
    return replace(identity, photo_jpeg=photo)
