"""Scanned QR payloads (outside bytes): 网证 codes and this platform's receipt links."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.config import KioskConfig
from kiosk.scanned_codes import MAX_NETID_CODE, ReceiptLink, ReceiptLinks, netid_code
from netid_sim.codes import CodeBook, Holder

TEMPLATE = KioskConfig().progress_address()
B64URL = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=200)


def test_a_simulator_code_is_a_netid_code() -> None:
    code, _ = CodeBook().issue(Holder("张三", "11010519491231002X", 1))
    assert netid_code(code) == code
    assert netid_code(f"  {code}\r\n") == code


@pytest.mark.parametrize("text", ["", "NETID1", "NETID1..x", "NETID2.a.b", "NETID1.a.b.c", "netid1.a.b",
                                  "NETID1.a b.c", "https://example.org/", "NETID1.a.b" + "c" * MAX_NETID_CODE])
def test_other_texts_are_not(text: str) -> None:
    assert netid_code(text) is None


@given(st.text(max_size=300))
def test_any_text_is_a_code_or_none_never_an_error(text: str) -> None:
    code = netid_code(text)
    assert code is None or (code == text.strip() and code.isascii() and code.startswith("NETID1."))


@given(B64URL, B64URL)
def test_well_formed_codes_are_recognised(payload: str, signature: str) -> None:
    assert netid_code(f"NETID1.{payload}.{signature}") == f"NETID1.{payload}.{signature}"


def test_a_receipt_link_gives_its_number_and_token() -> None:
    links = ReceiptLinks(TEMPLATE)
    text = TEMPLATE.format(receipt_number="110105-T01-20260101-0042", token="tok_EN-42")
    assert links.parse(text) == ReceiptLink("110105-T01-20260101-0042", "tok_EN-42")
    assert "tok_EN" not in repr(links.parse(text))


@pytest.mark.parametrize("text", [
    "https://elsewhere.example/progress/110105-T01-20260101-0042?t=x",
    TEMPLATE.format(receipt_number="110105-T01-20260101-0042", token="x") + "&evil=1",
    TEMPLATE.format(receipt_number="../../admin", token="x"),
    TEMPLATE.format(receipt_number="", token="x"),
    "NETID1.a.b", "",
])
def test_other_links_are_no_receipts(text: str) -> None:
    assert ReceiptLinks(TEMPLATE).parse(text) is None


def test_a_template_without_a_token() -> None:
    links = ReceiptLinks("https://hall.example/q?r={receipt_number}")
    assert links.parse("https://hall.example/q?r=A-1") == ReceiptLink("A-1", "")
    assert links.parse("https://hall.example/qxr=A-1") is None  # the "?" is not a wildcard


def test_templates_are_checked() -> None:
    with pytest.raises(ValueError):
        ReceiptLinks("https://hall.example/")
    with pytest.raises(ValueError):
        ReceiptLinks("https://hall.example/{receipt_number}/{receipt_number}")


@given(st.text(max_size=400))
def test_any_text_is_a_receipt_or_none(text: str) -> None:
    link = ReceiptLinks(TEMPLATE).parse(text)
    assert link is None or TEMPLATE.format(receipt_number=link.receipt_number, token=link.token) == text.strip()


@given(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}", fullmatch=True),
       st.from_regex(r"[A-Za-z0-9_-]{1,128}", fullmatch=True))
def test_every_receipt_link_round_trips(number: str, token: str) -> None:
    link = TEMPLATE.format(receipt_number=number, token=token)
    assert ReceiptLinks(TEMPLATE).parse(link) == ReceiptLink(number, token)
