"""Configuration: defaults, validation messages naming keys, and docs that list every key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.config import ConfigError, KioskConfig, documented_keys, load_config, parse_config

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_embedded_default_runs_everything_simulated() -> None:
    config = load_config(None)
    for role in ("id_reader", "camera", "receipt_printer", "document_printer", "document_camera"):
        assert getattr(config.devices, role).backend == "simulated"
    assert config.ui.language == "zh-CN"


def test_every_key_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_]+(?:\.[a-z_]+)+)`", text))
    missing = [key for key in documented_keys() if key not in documented]
    assert not missing, f"keys missing from docs/configuration.md: {missing}"


def test_documented_example_is_valid(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = re.search(r"## Example\n\n```toml\n(.*?)```", text, re.S).group(1)
    path = tmp_path / "kiosk.toml"
    path.write_text(example, encoding="utf-8")
    config = load_config(path)
    assert config.terminal.terminal_id == "T03"
    assert config.devices.camera.options["width"] == 1280


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"journey": {"idle_timeout_s": 1}}, "journey.idle_timeout_s"),
        ({"terminal": {"site_code": "12"}}, "terminal.site_code"),
        ({"terminal": {"terminal_id": "T 1"}}, "terminal.terminal_id"),
        ({"ui": {"language": "fr"}}, "ui.language"),
        ({"ui": {"colour": "red"}}, "ui.colour"),
        ({"central": {"url": "ftp://x"}}, "central.url"),
        ({"receipt": {"lookup_url": "https://x/"}}, "receipt.lookup_url"),
        ({"devices": {"camera": {"backend": 3}}}, "devices.camera.backend"),
        ({"storage": {"min_free_mb": "lots"}}, "storage.min_free_mb"),
        ({"devices": {"camera": {"backend": "usb"}}}, "devices.camera.backend"),
        ({"ui": {"fullscreen": "yes"}}, "ui.fullscreen"),
        ({"ui": 3}, "ui"),
        ({"journey": {"idle_timeout_s": True}}, "journey.idle_timeout_s"),
        ({"devices": {"camera": {"options": []}}}, "devices.camera.options"),
        ({"devices": {"id_reader": {"options": {"port": "/dev/ttyUSB0"}}}}, "devices.id_reader.options.port"),
    ],
)
def test_invalid_values_name_their_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data, "test.toml")
    assert any(problem.startswith(f"{key}:") for problem in caught.value.problems), caught.value.problems
    assert "test.toml" in str(caught.value)


def test_all_problems_reported_together() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"journey": {"idle_timeout_s": 1}, "ui": {"language": "fr"}})
    assert len(caught.value.problems) == 2


def test_warning_must_be_shorter_than_timeout() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({"journey": {"idle_timeout_s": 20, "idle_warning_s": 30}})
    assert "idle_warning_s" in str(caught.value)


def test_bad_toml_and_missing_file_are_clear(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[ui\nlanguage = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.toml")


def test_overrides_are_validated() -> None:
    config = KioskConfig().with_overrides(ui={"demo_controls": True})
    assert config.ui.demo_controls
    with pytest.raises(ConfigError):
        KioskConfig().with_overrides(ui={"language": "xx"})


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12))
_values = st.recursive(_scalars, lambda inner: st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
_section_names = st.sampled_from(["terminal", "ui", "journey", "storage", "central", "devices", "receipt", "other"])


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_section_names, _values, max_size=5))
def test_any_document_gives_a_config_or_a_config_error(data: dict) -> None:
    try:
        config = parse_config(data, "fuzz.toml")
    except ConfigError as exc:
        assert exc.problems and all(": " in problem for problem in exc.problems)
    else:
        assert isinstance(config, KioskConfig)
