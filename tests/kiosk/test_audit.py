"""The audit chain: tamper detection, kioskctl audit, and no personal data in a real journey."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.idcard.simulated.samples import sample_identity
from kiosk.audit import AuditLog, clean_details

KEY = Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def demo(offline_terminal):
    """Nothing here is about sync: the core runs without a central server."""
    return offline_terminal


def make_log(folder: Path, events: int = 8) -> AuditLog:
    audit = AuditLog(folder / "kiosk.db", lambda: KEY)
    for index in range(events):
        audit.record("session.step_reached", actor=None if index % 2 else "staff:7",
                     screen=f"s{index}", elapsed_s=index)
    audit.flush()
    return audit


def sql(folder: Path, *statements: str) -> None:
    with sqlite3.connect(folder / "kiosk.db") as conn:
        for statement in statements:
            conn.execute(statement)


def test_an_untouched_chain_verifies(tmp_path: Path) -> None:
    audit = make_log(tmp_path)
    verdict = audit.verify()
    assert verdict.ok and verdict.events == 8 and verdict.head_seq == 8
    assert audit.head() == (8, verdict.head_hash)
    audit.close()


@pytest.mark.parametrize("tamper, problem", [
    ("UPDATE audit_events SET details = '{\"elapsed_s\":99,\"screen\":\"s3\"}' WHERE seq = 4",
     "event 4 was altered"),
    ("UPDATE audit_events SET actor = 'staff:1' WHERE seq = 2", "event 2 was altered"),
    ("DELETE FROM audit_events WHERE seq = 5", "event 5 is missing"),
])
def test_edited_or_removed_events_are_found(tmp_path: Path, tamper: str, problem: str) -> None:
    audit = make_log(tmp_path)
    audit.close()
    sql(tmp_path, tamper)
    verdict = audit.verify()
    assert not verdict.ok and problem in verdict.problems[0]


def test_reordered_events_are_found(tmp_path: Path) -> None:
    audit = make_log(tmp_path)
    audit.close()
    sql(tmp_path, "UPDATE audit_events SET seq = -3 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 6",
        "UPDATE audit_events SET seq = 6 WHERE seq = -3")
    verdict = audit.verify()
    assert not verdict.ok and "event 3" in verdict.problems[0]


def test_a_cut_off_tail_is_found_by_the_signed_head(tmp_path: Path) -> None:
    audit = make_log(tmp_path)
    audit.close()
    sql(tmp_path, "DELETE FROM audit_events WHERE seq > 5")
    verdict = audit.verify()
    assert not verdict.ok
    assert verdict.problems == ["events after 5 were removed (the signed head is at event 8)"]


def test_a_forged_or_missing_head_is_found(tmp_path: Path) -> None:
    audit = make_log(tmp_path)
    audit.close()
    head = tmp_path / "audit-head.json"
    head.write_text(head.read_text().replace('"seq": 8', '"seq": 5'))
    assert "does not verify" in audit.verify().problems[0]
    head.unlink()
    assert audit.verify().problems == ["the signed audit head is missing"]


def test_storage_errors_never_reach_the_caller(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    audit = AuditLog(tmp_path / "missing-folder" / "kiosk.db", lambda: KEY)
    audit.record("staff.signed_in", actor="staff:1")  # the folder does not exist
    audit.record("not a kind")
    audit.flush()
    audit.close()
    assert "could not be stored" in caplog.text and "not recorded" in caplog.text


def test_details_keep_short_non_personal_scalars() -> None:
    clean = clean_details({"name": "陈静怡", "id_number": "1101", "screen": "x" * 500,
                           "elapsed_s": 2.6, "ok": True, "blob": b"\x00", "Bad-Key": 1})
    assert clean == {"screen": "x" * 120, "elapsed_s": 3, "ok": True, "blob": "bytes"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_single_edit_is_found(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        make_log(folder, 6).close()
        seq = data.draw(st.integers(1, 6), label="seq")
        column = data.draw(st.sampled_from(["at", "kind", "actor", "details", "prev", "hash"]),
                           label="column")
        value = data.draw(st.one_of(st.text(max_size=30), st.none()), label="value")
        with sqlite3.connect(folder / "kiosk.db") as conn:
            old = conn.execute(f"SELECT {column} FROM audit_events WHERE seq = ?", (seq,)).fetchone()[0]
            if value == old or (value is None and column != "actor"):
                value = f"{old}!"
            conn.execute(f"UPDATE audit_events SET {column} = ? WHERE seq = ?", (value, seq))
        assert not AuditLog(folder / "kiosk.db", lambda: KEY).verify().ok


def test_a_demo_journey_is_audited_without_personal_data(core_driver, residence_answers) -> None:
    core = core_driver.core
    identity = sample_identity("resident_id")
    core_driver.walk_to_form()
    core_driver.submit()
    receipt = core.snapshot()["receipt_number"]
    core_driver.finish()
    core.audit.flush()
    events = core.audit.events()
    kinds = [event.kind for event in events]
    assert {"terminal.started", "session.started", "session.step_reached", "session.submitted",
            "session.wiped"} <= set(kinds)
    submitted = [e for e in events if e.kind == "session.submitted"][-1]
    assert submitted.details["receipt_number"] == receipt
    assert submitted.details["service"] == "residence_permit"
    wiped = [e for e in events if e.kind == "session.wiped"][-1]
    assert wiped.details["outcome"] == "submitted" and wiped.details["reason"] == "finished"
    with sqlite3.connect(core.data_dir / "kiosk.db") as conn:
        table = "\n".join(repr(row) for row in conn.execute("SELECT * FROM audit_events"))
    for secret in (identity.name, identity.document_number, "13800138000",
                   residence_answers["employer"], residence_answers["residence_address"]):
        assert secret not in table
    assert core.audit.verify().ok


def test_kioskctl_audit_verify_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kiosk.cli import main

    data = tmp_path / "data"
    data.mkdir()
    audit = AuditLog.for_terminal(data)
    audit.record("staff.signed_in", actor="staff:7")
    audit.record("device.faulted", device="camera", state="no_device")
    audit.close()
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[storage]\ndata_dir = "{data}"\n', encoding="utf-8")
    assert main(["--config", str(config), "audit", "verify"]) == 0
    assert "audit chain intact: 2 event(s), head 2" in capsys.readouterr().out
    assert main(["--config", str(config), "audit", "list", "--since", "2000-01-01"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "staff.signed_in" in listed[0] and "staff:7" in listed[0] and "device=camera" in listed[1]
    assert main(["--config", str(config), "audit", "list", "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out == ""
    sql(data, "DELETE FROM audit_events WHERE seq = 2")
    assert main(["--config", str(config), "audit", "verify"]) == 3
    out = capsys.readouterr().out
    assert "TAMPERED: events after 1 were removed (the signed head is at event 2)" in out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200) | st.builds(
    lambda seq, digest, sig: f'{{"seq": {seq}, "hash": {digest}, "at": "x", "signature": {sig}}}'.encode(),
    st.sampled_from(["1", "-1", "null", '"8"', "1e400", "[]"]), st.sampled_from(['"ab"', "3", "null"]),
    st.sampled_from(['"AAAA"', '"!!"', "0", "null"])))
def test_any_head_file_is_a_verdict_never_a_crash(head: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        make_log(folder, 2).close()
        (folder / "audit-head.json").write_bytes(head)
        verdict = AuditLog(folder / "kiosk.db", lambda: KEY).verify()
        assert not verdict.ok and verdict.problems
