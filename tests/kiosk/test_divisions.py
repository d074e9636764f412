"""The bundled GB/T 2260 division table, its parser, and address matching."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.divisions import DivisionDataError, bundled_divisions, parse_divisions


def test_the_bundled_table_has_every_province_and_lifts_placeholders() -> None:
    table = bundled_divisions()
    assert len(table) > 3000
    provinces = [d.name for d in table.provinces()]
    assert len(provinces) == 34 and provinces[0] == "北京市" and "新疆维吾尔自治区" in provinces
    # Municipalities: districts directly under the city, no 市辖区 level in between.
    assert "东城区" in [d.name for d in table.children("110000")]
    assert table.is_leaf("110101")
    assert "110100" not in table  # 市辖区 is a placeholder, not a place
    # County-level cities directly under a province sit beside the prefectures.
    assert {"武汉市", "仙桃市"} <= {d.name for d in table.children("420000")}
    assert [d.name for d in table.path("429004")] == ["湖北省", "仙桃市"]
    # A prefecture without counties is itself where an address ends.
    assert table.is_leaf("441900") and not table.is_leaf("440300")


@pytest.mark.parametrize(("text", "code", "names", "rest"), [
    ("北京市东城区景山前街4号", "110101", ("北京市", "东城区"), "景山前街4号"),
    ("浙江省杭州市西湖区文三路198号3幢2单元501室", "330106", ("浙江省", "杭州市", "西湖区"),
     "文三路198号3幢2单元501室"),
    ("湖北省仙桃市沔阳大道1号", "429004", ("湖北省", "仙桃市"), "沔阳大道1号"),
    ("重庆市万州区太白路", "500101", ("重庆市", "万州区"), "太白路"),
])
def test_id_card_addresses_match_their_leading_division_names(text, code, names, rest) -> None:
    match = bundled_divisions().match_address(text)
    assert (match.code, match.names, match.rest, match.leaf) == (code, names, rest, True)


def test_partial_and_unknown_addresses() -> None:
    table = bundled_divisions()
    partial = table.match_address("广东省某某市某路")
    assert partial.code == "440000" and not partial.leaf and partial.rest == "某某市某路"
    assert table.match_address("Somewhere else") is None
    assert table.match_address("") is None


def test_malformed_tables_are_refused_with_the_line() -> None:
    good = "110000\t北京市\n110101\t东城区\n"
    assert len(parse_divisions("# comment\n\n" + good)) == 2
    for bad in ("11000\t北京市\n", "110000 北京市\n", "110000\t\n", "110000\t北\x00京\n",
                "110000\t北京市\n110000\t北京\n", "110101\t东城区\n", "000000\t无\n", "110001\t错\n"):
        with pytest.raises(DivisionDataError):
            parse_divisions(bad)


_codes = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
_names = st.text(st.characters(whitelist_categories=("Lo", "Lu", "Ll", "Nd")), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_parser_never_fails_other_than_with_its_own_error(text: str) -> None:
    try:
        table = parse_divisions(text)
    except DivisionDataError:
        return
    for province in table.provinces():
        assert province.code.endswith("0000")


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_codes, _names, max_size=30))
def test_parsed_tables_are_consistent(entries: dict[str, str]) -> None:
    # Keep only codes the standard allows, and give each a province.
    entries = {c: n for c, n in entries.items() if not (c[2:4] == "00" and c[4:] != "00")}
    entries.update({c[:2] + "0000": "省" + c[:2] for c in list(entries)})
    text = "".join(f"{code}\t{name}\n" for code, name in sorted(entries.items()))
    table = parse_divisions(text)
    for code in entries:
        if code in table:
            path = table.path(code)
            assert path[-1].code == code and path[0].code == code[:2] + "0000"
            assert all(child.code in table for child in table.children(code))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_matching_any_text_is_safe_and_consistent(text: str) -> None:
    table = bundled_divisions()
    match = table.match_address(text)
    if match is not None:
        assert match.code in table
        assert [d.name for d in table.path(match.code)] == list(match.names)
