"""``release.json`` (a signed target, but outside bytes all the same): any bytes give a manifest
whose paths stay inside the release folder, or ``ReleaseInvalid``; never another exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.updates import ReleaseInvalid, parse_manifest


def check(data: bytes) -> None:
    try:
        version, paths = parse_manifest(data)
    except ReleaseInvalid:
        return
    assert version and "/" not in version
    for path in paths:
        assert not path.startswith("/") and ".." not in path.split("/")


@given(st.binary(max_size=512))
def test_any_bytes_give_a_manifest_or_a_clear_refusal(data):
    check(data)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=12)
paths = st.lists(st.sampled_from(["a", "..", ".", "", "_internal", "lib.so", "/etc", "x\0"]),
                 min_size=1, max_size=4).map("/".join)


@given(st.fixed_dictionaries({"version": json_values | st.text(max_size=12),
                              "files": json_values | st.lists(paths, max_size=5)}))
def test_any_json_manifest_keeps_its_paths_inside_the_release(manifest):
    check(json.dumps(manifest).encode())


@pytest.mark.parametrize("path", ["../x", "a/../../x", "/etc/passwd", "a//b", "./a"])
def test_paths_that_could_leave_the_release_are_refused(path):
    with pytest.raises(ReleaseInvalid):
        parse_manifest(json.dumps({"version": "1.1", "files": [path]}).encode())
