"""``kiosk-central seal``, ``document``, ``integration`` and ``handoff`` as an operator runs
them: a real seal installed (and a key that does not belong refused), a document revoked, an
integration added, a dead letter listed and replayed; each in the platform trail."""

from __future__ import annotations

import shutil

from central.at_rest import AtRestKeys
from central.certificates import REVOKED, CertificateOffice
from central.cli import main
from central.handoff import DEAD, PENDING, HandoffOutbox
from central.integrations import IntegrationRegistry
from central.seal import CERT_FILE, CHAIN_FILE, KEY_FILE, load_seal, make_demo_seal, seal_dir
from central.store import open_platform_store
from central.trail import PlatformTrail
from tests.central.test_certificates import FACTS


def test_seal_init_install_and_show(tmp_path, capsys):
    data_dir = tmp_path / "central"
    assert main(["seal", "show", "--data-dir", str(data_dir)]) == 1
    assert "no seal" in capsys.readouterr().err
    assert main(["seal", "init", "--data-dir", str(data_dir)]) == 2  # --demo is required
    assert main(["seal", "init", "--demo", "--data-dir", str(data_dir)]) == 0
    assert "Demo Root CA" in capsys.readouterr().out

    real = make_demo_seal(tmp_path / "province-ca", "示范省人力资源和社会保障厅")
    other = make_demo_seal(tmp_path / "other")
    mismatched = ["seal", "install", "--key", str(other / KEY_FILE), "--cert",
                  str(real / CERT_FILE), "--chain", str(real / CHAIN_FILE),
                  "--data-dir", str(data_dir)]
    assert main(mismatched) == 1
    assert "does not belong" in capsys.readouterr().err
    installed = ["seal", "install", "--key", str(real / KEY_FILE), "--cert",
                 str(real / CERT_FILE), "--chain", str(real / CHAIN_FILE),
                 "--data-dir", str(data_dir)]
    assert main(installed) == 0
    assert load_seal(seal_dir(data_dir)).organisation == "示范省人力资源和社会保障厅"
    for name in (KEY_FILE, CERT_FILE, CHAIN_FILE):
        assert (seal_dir(data_dir) / name).stat().st_mode & 0o777 == 0o600
    shutil.rmtree(tmp_path / "other")

    store = open_platform_store(data_dir)
    actions = [e["action"] for e in PlatformTrail(store.db).entries()]
    assert actions == ["installed a seal", "made a demo seal"]
    store.close()


def test_document_revoke(tmp_path, capsys):
    data_dir = tmp_path / "central"
    assert main(["seal", "init", "--demo", "--data-dir", str(data_dir)]) == 0
    store = open_platform_store(data_dir)
    office = CertificateOffice(store.db, seal_dir(data_dir),
                               AtRestKeys.load_or_create(data_dir / "keys"), "https://x.example")
    issued = office.issue_acceptance_receipt(FACTS)
    command = ["document", "revoke", issued.document_id, "--reason", "wrong service",
               "--data-dir", str(data_dir)]
    assert main(command) == 0
    assert main(command) == 1  # revoked already
    token = issued.verify_url.split("?t=")[1]
    assert office.verification(issued.document_id, token).status == REVOKED
    assert PlatformTrail(store.db).entries()[0]["subject"] == issued.document_id
    store.close()


def test_integration_and_handoff_commands(tmp_path, capsys):
    data_dir = tmp_path / "central"
    assert main(["integration", "add", "Bad Id", "--url", "https://a.example",
                 "--data-dir", str(data_dir)]) == 1
    assert main(["integration", "add", "archive", "--url", "https://a.example/in",
                 "--service", "residence_permit", "--data-dir", str(data_dir)]) == 0
    secret_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert IntegrationRegistry(data_dir).get("archive").secret.hex() == secret_line
    assert main(["integration", "list", "--data-dir", str(data_dir)]) == 0
    assert "archive\thttps://a.example/in\tresidence_permit" in capsys.readouterr().out

    store = open_platform_store(data_dir)
    outbox = HandoffOutbox(store.db, AtRestKeys.load_or_create(data_dir / "keys"),
                           IntegrationRegistry(data_dir), max_attempts=1)
    [event_id] = outbox.enqueue_case_accepted({"receipt_number": "S01-T01-20261201-0001",
                                               "service_id": "residence_permit"})
    outbox.claim_due()
    assert outbox.failed(event_id, "HTTP 503") == DEAD
    assert main(["handoff", "list", "--data-dir", str(data_dir)]) == 0
    assert f"{event_id}\tarchive\tS01-T01-20261201-0001\t1\tHTTP 503" in capsys.readouterr().out
    assert main(["handoff", "replay", event_id, "--data-dir", str(data_dir)]) == 0
    assert main(["handoff", "replay", event_id, "--data-dir", str(data_dir)]) == 1
    assert [e["state"] for e in outbox.events()] == [PENDING]
    actions = [e["action"] for e in PlatformTrail(store.db).entries()]
    assert actions[:3] == ["replayed hand-off event", "viewed hand-off events",
                           "added integration"]
    store.close()
