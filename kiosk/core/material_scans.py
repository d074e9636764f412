"""The pages a citizen scanned for a service's paper materials, and how the scanning screen shows them.

Plain data with no threads, devices or images decoded: :class:`MaterialScans` lives in the
citizen's :class:`~kiosk.core.journey.CitizenSession` (so a wipe drops it with everything else) and
is changed only on the journey thread. A page is kept compressed (what gets sealed) with a small
thumbnail for the screens; nothing of it is written to disk here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

#: What the scanning screen says about the newest frame (``drivers.doccam.page.GUIDANCE``) and
#: about a page that failed a check (``drivers.doccam.page.PageQuality.problems``).
GUIDANCE_TEXT: dict[str, dict[str, str]] = {
    "starting": {"zh-CN": "正在打开高拍仪……", "en": "Starting the document camera…"},
    "no_page": {"zh-CN": "请将材料平放在高拍仪下方", "en": "Lay the page flat under the document camera"},
    "move_into_frame": {"zh-CN": "请把材料整页移入画面", "en": "Move the whole page into the frame"},
    "too_much_glare": {"zh-CN": "反光太强，请调整材料角度", "en": "Too much glare: tilt or move the page"},
    "hold_still": {"zh-CN": "请保持材料不动", "en": "Hold still"},
    "ok": {"zh-CN": "正在拍摄……", "en": "Taking the page…"},
    "captured": {"zh-CN": "已拍摄，请放下一页", "en": "Page taken: lay the next page"},
    "blurred": {"zh-CN": "画面模糊，请放平材料并保持不动", "en": "Blurred: lay the page flat and hold still"},
    "not_wholly_in_frame": {"zh-CN": "请把材料整页移入画面", "en": "Move the whole page into the frame"},
    "low_resolution": {"zh-CN": "材料太小，请放在画面中央", "en": "The page is too small: lay it in the middle"},
    "unavailable": {"zh-CN": "高拍仪暂时无法使用，请呼叫工作人员",
                    "en": "The document camera is not available; please call staff"},
}

_PAGE_IDS = itertools.count(1)


@dataclass(frozen=True)
class ScannedPage:
    """One rectified, compressed page: ``image`` is sealed with the submission, ``thumbnail`` is
    for the screens; ``page_id`` names it to the UI's image provider (no personal data)."""

    image: bytes
    thumbnail: bytes
    media_type: str
    width: int
    height: int
    manual: bool = False
    page_id: str = field(default_factory=lambda: f"p{next(_PAGE_IDS)}")

    @property
    def suffix(self) -> str:
        """File suffix of the compressed page (``jpg`` or ``webp``)."""
        return "webp" if self.media_type == "image/webp" else "jpg"


@dataclass
class MaterialSlot:
    """One material of the service to scan, with the pages taken so far."""

    name: Any  # LocalizedText of the catalog
    required: bool
    pages_expected: int
    pages: list[ScannedPage] = field(default_factory=list)

    @property
    def full(self) -> bool:
        """True once as many pages were taken as the catalog expects."""
        return len(self.pages) >= self.pages_expected


class MaterialScans:
    """The materials of one service and their pages; ``current`` is the material being scanned.

    A required material needs at least one page to go on (the expected page count guides the
    citizen: after that many pages the next material becomes current). Journey thread only.
    """

    def __init__(self, slots: list[MaterialSlot]) -> None:
        """``slots`` in catalog order."""
        self.slots = slots
        self.current = 0
        self._insert_at: int | None = None  # a retaken page goes back where it was

    @classmethod
    def for_service(cls, service: Any) -> MaterialScans:
        """The scanned materials of a catalog :class:`~kiosk.catalog.Service`."""
        return cls([MaterialSlot(m.name, m.required, m.pages) for m in service.scanned_materials])

    def missing(self) -> list[int]:
        """Indexes of required materials that have no page yet."""
        return [i for i, slot in enumerate(self.slots) if slot.required and not slot.pages]

    @property
    def page_count(self) -> int:
        """Pages taken over all materials."""
        return sum(len(slot.pages) for slot in self.slots)

    def choose(self, index: int) -> None:
        """Scan for material ``index`` next; :class:`IndexError` for one the service does not have."""
        if not 0 <= index < len(self.slots):
            raise IndexError(f"no material {index}")
        self.current = index
        self._insert_at = None

    def add(self, page: ScannedPage) -> None:
        """Put a page taken into the current material; once it is full, move on to the next one
        that is not."""
        slot = self.slots[self.current]
        if self._insert_at is not None and self._insert_at <= len(slot.pages):
            slot.pages.insert(self._insert_at, page)
            self._insert_at = None
        else:
            slot.pages.append(page)
        if slot.full:
            later = [i for i in range(self.current + 1, len(self.slots)) if not self.slots[i].full]
            if later:
                self.current = later[0]

    def delete(self, index: int, page: int) -> ScannedPage:
        """Remove page ``page`` of material ``index``; raises :class:`IndexError` when there is none."""
        return self.slots[index].pages.pop(page)

    def retake(self, index: int, page: int) -> ScannedPage:
        """Remove that page; the next page taken goes in its place."""
        removed = self.delete(index, page)
        self.current = index
        self._insert_at = page
        return removed

    def page(self, page_id: str) -> ScannedPage | None:
        """The page with this id, or None."""
        for slot in self.slots:
            for page in slot.pages:
                if page.page_id == page_id:
                    return page
        return None

    def attachments(self) -> tuple[dict[str, bytes], list[dict[str, Any]]]:
        """What the submission seals: ``{attachment name: compressed page}`` and, per material,
        ``{"name", "name_en", "required", "pages": [attachment names]}``. The names are generic
        (``material-1-page-2.jpg``) as attachment names travel unencrypted."""
        files: dict[str, bytes] = {}
        record = []
        for m, slot in enumerate(self.slots, start=1):
            names = []
            for p, page in enumerate(slot.pages, start=1):
                name = f"material-{m}-page-{p}.{page.suffix}"
                files[name] = page.image
                names.append(name)
            record.append({"name": slot.name.text("zh-CN"), "name_en": slot.name.text("en"),
                           "required": slot.required, "pages": names})
        return files, record

    def view(self, language: str) -> list[dict[str, Any]]:
        """Each material for the screens: name, required, pages expected, its pages' ids, whether it
        is current and whether it still lacks a page it needs."""
        return [{"name": slot.name.text(language), "required": slot.required,
                 "pages_expected": slot.pages_expected, "pages": [p.page_id for p in slot.pages],
                 "current": i == self.current, "missing": slot.required and not slot.pages}
                for i, slot in enumerate(self.slots)]


def guidance_text(code: str, language: str) -> str:
    """The scanning screen's line for a guidance or problem code, in ``language``."""
    texts = GUIDANCE_TEXT.get(code) or GUIDANCE_TEXT["no_page"]
    return texts.get(language) or texts["zh-CN"]
