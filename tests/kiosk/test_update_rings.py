"""Rollout in rings: a release offered to pilot terminals, a site, a percentage, widened to all,
or halted (``kiosk-central release rollout``), signed with the release (a TUF target), and
honoured by each terminal's apply; ``rollout.json``'s parser takes any bytes."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from central.cli import main as central
from central.release_export import export_release
from kiosk.cli import main as kioskctl
from kiosk.releases import Installation
from sync.updates import ReleaseInvalid, Rollout, parse_rollout
from tests.update_builds import make_build, make_repository


def terminal_config(tmp_path, name: str, site: str, usb) -> tuple[str, Installation]:
    """A terminal ``site``-``name`` running 1.0, configured to update from ``usb``."""
    opt = tmp_path / f"opt-{site}-{name}"
    installation = Installation(opt)
    installation.adopt(make_build(tmp_path / "a", "1.0"), "1.0")
    (opt / "update-root.json").write_bytes((usb / "metadata" / "1.root.json").read_bytes())
    config = tmp_path / f"{site}-{name}.toml"
    config.write_text(f'[terminal]\nsite_code = "{site}"\nterminal_id = "{name}"\n'
                      f'[storage]\ndata_dir = "{tmp_path / ("data-" + site + name)}"\n'
                      f'[updates]\ninstall_dir = "{opt}"\n')
    return str(config), installation


def test_pilots_then_a_site_then_everyone_and_a_halt(tmp_path, capsys):
    data, keys = make_repository(tmp_path, ["1.0"])
    common = ["--keys", str(keys), "--data-dir", str(data)]
    assert central(["release", "publish", str(make_build(tmp_path / "b", "1.1")), "--version",
                    "1.1", "--pilot", "110105-T01", *common]) == 0
    usb = tmp_path / "usb"

    def offer_and_apply(name: str, site: str) -> str:
        export_release(data, usb)
        config, installation = terminal_config(tmp_path, name, site, usb)
        assert kioskctl(["--config", config, "update", "apply", "--from", str(usb)]) == 0
        return installation.current() or ""

    assert offer_and_apply("T01", "110105") == "1.1"  # the pilot
    assert offer_and_apply("T02", "110105") == "1.0"
    assert "not offered: 1.1" in capsys.readouterr().out
    assert central(["release", "rollout", "--site", "110105", *common]) == 0
    assert offer_and_apply("T03", "110105") == "1.1"
    assert offer_and_apply("T01", "310101") == "1.0"
    assert central(["release", "rollout", "--halt", *common]) == 0
    assert offer_and_apply("T04", "110105") == "1.0"
    assert central(["release", "rollout", "--percent", "100", *common]) == 0
    assert offer_and_apply("T02", "310101") == "1.1"


def test_a_percentage_offers_a_stable_share_of_the_fleet():
    rollout = Rollout(percent=10)
    offered = [n for n in range(2000) if rollout.offers(f"110105-T{n:04}", "110105")]
    assert 100 < len(offered) < 300  # about a tenth
    assert offered == [n for n in range(2000) if rollout.offers(f"110105-T{n:04}", "110105")]
    assert not Rollout(percent=0).offers("110105-T0001", "110105")
    assert not Rollout(pilots=frozenset({"110105-T0001"}), halted=True).offers("110105-T0001", "x")


@given(st.binary(max_size=300) | st.builds(lambda d: json.dumps(d).encode(), st.dictionaries(
    st.sampled_from(["release", "pilots", "sites", "percent", "halted"]),
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.text(max_size=5)
    | st.lists(st.text(max_size=5) | st.integers(), max_size=3))))
def test_any_rollout_bytes_give_a_rollout_or_a_clear_refusal(data):
    try:
        rollout = parse_rollout(data, "1.1")
    except ReleaseInvalid:
        return
    assert 0 <= rollout.percent <= 100
