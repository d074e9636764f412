"""Text shown to citizens in both kiosk languages.

Every user-visible string in a form definition or the catalog is a :class:`LocalizedText`: the
JSON shape is ``{"zh-CN": "...", "en": "..."}`` and both are required, so a language switch on
the terminal never lands on a missing label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: The languages every user-visible string must have, in the kiosk's order of preference.
LANGUAGES: tuple[str, ...] = ("zh-CN", "en")


def check_language(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`LANGUAGES`, else raise :class:`ValueError`."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


@dataclass(frozen=True)
class LocalizedText:
    """One piece of user-visible text in Simplified Chinese and English."""

    zh_cn: str
    en: str

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> LocalizedText:
        """Build from the JSON shape ``{"zh-CN": ..., "en": ...}`` (already schema-checked)."""
        return cls(zh_cn=data["zh-CN"], en=data["en"])

    def to_json(self) -> dict[str, str]:
        """The JSON shape, keyed by language tag."""
        return {"zh-CN": self.zh_cn, "en": self.en}

    def text(self, lang: str) -> str:
        """The text in ``lang`` (one of :data:`LANGUAGES`)."""
        return self.zh_cn if check_language(lang) == "zh-CN" else self.en

    def format(self, **values: object) -> LocalizedText:
        """Both languages with ``str.format`` placeholders filled in."""
        return LocalizedText(self.zh_cn.format(**values), self.en.format(**values))
