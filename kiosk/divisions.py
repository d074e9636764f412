"""GB/T 2260 administrative divisions (行政区划代码): the bundled table behind the address picker.

The table (``divisions.tsv`` beside this module, built by ``tools/build_divisions.py``) lists
provinces (``xx0000``), prefecture-level entries (``xxxx00``) and counties. The picker shows
three cascading levels, province → city → county. GB/T 2260 has placeholder prefecture entries
(市辖区, 县, 省直辖县级行政区划) that citizens never say; :class:`Divisions` lifts their
children one level up, so Beijing's districts sit directly under 北京市 and 仙桃市 beside 武汉市.
A division with no children below it is a *leaf*, the one a form's address must end on.

Immutable once built and safe to share between threads. Nothing here touches personal data
except :meth:`Divisions.match_address`, which returns what it was given, never logs it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

#: Names in the table that are grouping placeholders rather than places.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
MAX_NAME_LENGTH = 40


class DivisionDataError(ValueError):
    """The division table is malformed; the message names the line."""


@dataclass(frozen=True)
class Division:
    """One administrative division: its 6-digit code and its official name."""

    code: str
    name: str


@dataclass(frozen=True)
class AddressMatch:
    """The result of matching an address text: the deepest division found and the rest."""

    code: str
    names: tuple[str, ...]
    rest: str
    leaf: bool


def _parent_code(code: str) -> str | None:
    if code.endswith("0000"):
        return None
    if code.endswith("00"):
        return code[:2] + "0000"
    return code[:4] + "00"


class Divisions:
    """A division table, indexed for the picker. Build with :func:`parse_divisions`."""

    def __init__(self, entries: dict[str, str]) -> None:
        """``entries`` maps code to name; codes must be 6 digits (checked by the parser)."""
        self._names = dict(entries)
        children: dict[str | None, list[str]] = {}
        for code in sorted(self._names):
            parent = self._visible_parent(code)
            if self._names[code] in PLACEHOLDER_NAMES and parent is not None:
                continue  # its children are lifted under its parent
            children.setdefault(parent, []).append(code)
        self._children = {key: tuple(value) for key, value in children.items()}

    def _visible_parent(self, code: str) -> str | None:
        parent = _parent_code(code)
        # A county of a placeholder prefecture (or one whose prefecture is missing) hangs off
        # the province; a missing province leaves the entry at the top.
        while parent is not None and (parent not in self._names or self._names[parent] in PLACEHOLDER_NAMES):
            parent = _parent_code(parent)
        return parent

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._names and self._names[code] not in PLACEHOLDER_NAMES

    def get(self, code: str) -> Division | None:
        """The division with this code (placeholders excluded), or None."""
        return Division(code, self._names[code]) if code in self else None

    def provinces(self) -> list[Division]:
        """The top level: provinces, autonomous regions, municipalities, SARs."""
        return self.children(None)

    def children(self, code: str | None) -> list[Division]:
        """The divisions the picker shows under ``code`` (None: the provinces), by code."""
        return [Division(c, self._names[c]) for c in self._children.get(code, ())]

    def is_leaf(self, code: str) -> bool:
        """True for a known division with nothing below it (a county, or a city without counties)."""
        return code in self and not self._children.get(code)

    def path(self, code: str) -> list[Division]:
        """The chain from the province down to ``code`` as the picker shows it; [] if unknown."""
        if code not in self:
            return []
        chain = [Division(code, self._names[code])]
        parent = self._visible_parent(code)
        while parent is not None:
            chain.append(Division(parent, self._names[parent]))
            parent = self._visible_parent(parent)
        return chain[::-1]

    def match_address(self, text: str) -> AddressMatch | None:
        """Match the leading division names of an address (as on an ID card).

        ``北京市东城区景山前街4号`` → 110101 (北京市, 东城区) with ``景山前街4号`` left over. At
        each level the longest child name that starts the remaining text wins. None when not
        even the province matches.
        """
        rest = unicodedata.normalize("NFKC", text).strip()
        parent: str | None = None
        names: list[str] = []
        while True:
            best = max((d for d in self.children(parent) if rest.startswith(d.name)),
                       key=lambda d: len(d.name), default=None)
            if best is None:
                break
            names.append(best.name)
            rest = rest[len(best.name):]
            parent = best.code
        if parent is None:
            return None
        return AddressMatch(parent, tuple(names), rest.strip(), self.is_leaf(parent))


def parse_divisions(text: str) -> Divisions:
    """Parse the ``code<TAB>name`` table (``#`` comments and blank lines allowed).

    Raises :class:`DivisionDataError` for a malformed line, a duplicate code, or an entry whose
    province is missing.
    """
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        code, sep, name = line.partition("\t")
        name = name.strip()
        if not sep or len(code) != 6 or not code.isascii() or not code.isdigit():
            raise DivisionDataError(f"line {number}: expected a 6-digit code, a tab and a name")
        if code[:2] == "00" or (code[2:4] == "00" and code[4:] != "00"):
            raise DivisionDataError(f"line {number}: {code} is not a GB/T 2260 code")
        if not name or len(name) > MAX_NAME_LENGTH or any(unicodedata.category(ch)[0] in "CZ" and ch != " "
                                                           for ch in name):
            raise DivisionDataError(f"line {number}: bad name for {code}")
        if code in entries:
            raise DivisionDataError(f"line {number}: duplicate code {code}")
        entries[code] = name
    for code in entries:
        if code[:2] + "0000" not in entries:
            raise DivisionDataError(f"code {code} has no province {code[:2]}0000")
    return Divisions(entries)


@lru_cache(maxsize=1)
def bundled_divisions() -> Divisions:
    """The table shipped with the kiosk (read once; any thread)."""
    return parse_divisions(resources.files("kiosk").joinpath("divisions.tsv").read_text("utf-8"))
