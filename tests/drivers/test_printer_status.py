"""DLE EOT status: parsing, encoding and the mapping to device status and error actions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.common import DeviceState, DeviceTimeout, ErrorAction, ProtocolError
from drivers.printer.status import (
    FLAG_NAMES,
    PrinterFlags,
    encode_status_byte,
    parse_status_byte,
    query_flags,
    status_from_flags,
)

flags_strategy = st.builds(PrinterFlags, **{name: st.booleans() for name in FLAG_NAMES})


@given(st.integers(1, 4), st.integers(0, 255))
def test_any_byte_parses_or_is_a_protocol_error(n, value):
    try:
        flags = parse_status_byte(n, value)
    except ProtocolError:
        assert value & 0b1001_0011 != 0b0001_0010
        return
    assert all(isinstance(v, bool) for v in flags.values())


@given(flags_strategy)
def test_encode_then_parse_round_trips(flags):
    parsed = {}
    for n in (1, 2, 3, 4):
        parsed.update(parse_status_byte(n, encode_status_byte(n, flags)))
    assert PrinterFlags(**parsed) == flags


@given(flags_strategy)
def test_every_flag_combination_maps_to_a_status(flags):
    status = status_from_flags(flags)
    if flags.paper_out or flags.cover_open:
        assert status.state is DeviceState.USER_ERROR and status.action is ErrorAction.CLEAR
    if status.state is DeviceState.ONLINE:
        assert not (flags.offline or flags.paper_out or flags.cover_open or flags.error)


def test_known_answers():
    assert parse_status_byte(4, 0x12) == {"paper_near_end": False, "paper_out": False}
    assert parse_status_byte(4, 0x72)["paper_out"] and parse_status_byte(4, 0x1E)["paper_near_end"]
    assert parse_status_byte(2, 0x16)["cover_open"]
    assert status_from_flags(PrinterFlags(paper_near_end=True)).detail == "paper_near_end"
    assert status_from_flags(PrinterFlags(offline=True)).state is DeviceState.OFFLINE
    with pytest.raises(ValueError):
        parse_status_byte(5, 0x12)


class _Silent:
    def write(self, data): pass
    def read_byte(self, timeout_s): return b""
    def drain(self): pass


def test_no_answer_is_a_timeout_never_paper_ok():
    with pytest.raises(DeviceTimeout):
        query_flags(_Silent(), 0.01)
