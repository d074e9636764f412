"""How the applicant proved who they are (``applicant.identity_proof``) reaches the case page and
the case-worker API; a payload from before the field reads as document + face."""

from __future__ import annotations

import warnings

import pytest

from central.app import create_app
from egov_protocol.identity_proof import PROOF_FIELD
from tests.central.test_central_cases import TERMINAL_ID, application, submit, worker

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # StarletteDeprecationWarning: it would prefer httpx2
    from fastapi.testclient import TestClient


@pytest.fixture
def client(tmp_path, terminal_keys):
    with TestClient(create_app(tmp_path / "central"), raise_server_exceptions=False) as client:
        token = client.app.state.store.issue_token(TERMINAL_ID)
        assert client.post("/v1/enroll", json={"token": token, "terminal_id": TERMINAL_ID,
                                               "public_key": terminal_keys.public_key_b64,
                                               "site": "GZ01"}).status_code == 201
        client.keys = terminal_keys
        yield client


def submitted(client, n: int, proof: str | None) -> str:
    payload, photos = application(n)
    if proof is not None:
        payload["applicant"][PROOF_FIELD] = proof
    if proof and proof.startswith("netid"):
        del photos["document_photo.jpg"]  # a 网证 has no document photo
    assert submit(client, client.keys, payload, photos).status_code == 201
    return payload["receipt_number"]


@pytest.mark.parametrize(("proof", "shown", "level"), [
    ("netid", "网证 alone", 1), ("netid+face", "网证 + face", 2), ("document+face", "ID document + face", 2),
    (None, "ID document + face", 2), ("telepathy", "unknown", 0)])
def test_the_case_page_says_how_identity_was_proved(client, proof, shown, level) -> None:
    receipt = submitted(client, 1, proof)
    _, csrf = worker(client)
    page = client.post(f"/cases/{receipt}/open", data={"csrf": csrf["X-CSRF-Token"], "reason": "审核申报材料"})
    assert page.status_code == 200, page.text
    cell = page.text.split('id="identity-proof"', 1)[1].split("</td>", 1)[0]
    assert shown in cell and f"(level {level})" in cell
    assert PROOF_FIELD not in page.text.split('id="applicant"', 1)[1]  # said once, not as raw data
    opened = client.post(f"/v1/cases/{receipt}/open", json={"reason": "审核申报材料"}, headers=csrf).json()
    assert opened["submission"]["identity_proof"]["level"] == level
