"""A platform with a seal issues the certificate when a case worker completes a case with one:
from the case's own submission (the applicant as read from the document, the answers), for
the terminal's person lookup; a service that yields none, or a platform without a seal, says so
and leaves the case as it was."""

from __future__ import annotations

import json
import warnings

from central.app import create_app
from central.seal import make_demo_seal, seal_dir
from tests.central.test_central_cases import (
    IDENTITY,
    TERMINAL_ID,
    application,
    signed,
    submit,
    worker,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def sealed_platform(tmp_path, terminal_keys, seal: bool = True):
    if seal:
        make_demo_seal(seal_dir(tmp_path / "central"))
    client = TestClient(create_app(tmp_path / "central", public_url="https://zwfw.example",
                                   handoff_worker=False), raise_server_exceptions=False)
    client.__enter__()
    token = client.app.state.store.issue_token(TERMINAL_ID)
    assert client.post("/v1/enroll", json={"token": token, "terminal_id": TERMINAL_ID,
                                           "public_key": terminal_keys.public_key_b64,
                                           "site": "GZ01"}).status_code == 201
    client.keys = terminal_keys
    return client


def test_completing_with_a_certificate_issues_it_to_the_applicant(tmp_path, terminal_keys):
    client = sealed_platform(tmp_path, terminal_keys)
    try:
        payload, photos = application(1, service="flexible_employment_insurance")
        payload["answers"].update({"employment_type": "platform", "insurance_types": ["pension"],
                                   "contribution_level": "80", "start_date": "2027-01-01"})
        assert submit(client, client.keys, payload, photos).status_code == 201
        receipt = payload["receipt_number"]
        _, csrf = worker(client)
        client.post(f"/v1/cases/{receipt}/actions", headers=csrf, json={"action": "accept"})
        done = client.post(f"/v1/cases/{receipt}/actions", headers=csrf,
                           json={"action": "complete", "result": "certificate"})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "completed" and "Certificate issued" in done.json()["history"][-1]["note"]

        office = client.app.state.certificates
        [item] = office.documents_of(office.keys.person_hash(IDENTITY.document_number))
        assert item["receipt_number"] == receipt and item["title"] == "灵活就业人员参保证明"
        assert item["issuer"] and item["status"] == "valid"
        listed = signed(client, client.keys, "POST", "/v1/certificates/search",
                        {"person_hash": office.keys.person_hash(IDENTITY.document_number)})
        assert listed.json()["items"][0]["document_id"] == item["document_id"]
        assert IDENTITY.document_number not in json.dumps(done.json(), ensure_ascii=False)
    finally:
        client.__exit__(None, None, None)


def test_a_service_without_a_certificate_or_a_platform_without_a_seal_refuses(tmp_path, terminal_keys):
    client = sealed_platform(tmp_path / "sealed", terminal_keys)
    try:
        submit(client, client.keys, *application(1, service="residence_permit"))
        receipt = f"{TERMINAL_ID}-20260301-000001"
        _, csrf = worker(client)
        client.post(f"/v1/cases/{receipt}/actions", headers=csrf, json={"action": "accept"})
        refused = client.post(f"/v1/cases/{receipt}/actions", headers=csrf,
                              json={"action": "complete", "result": "certificate"})
        assert refused.status_code == 409 and "yields no certificate" in refused.json()["detail"]
        assert client.get(f"/v1/cases/{receipt}").json()["status"] == "accepted"
    finally:
        client.__exit__(None, None, None)

    client = sealed_platform(tmp_path / "unsealed", terminal_keys, seal=False)
    try:
        submit(client, client.keys, *application(1, service="flexible_employment_insurance"))
        receipt = f"{TERMINAL_ID}-20260301-000001"
        _, csrf = worker(client)
        client.post(f"/v1/cases/{receipt}/actions", headers=csrf, json={"action": "accept"})
        refused = client.post(f"/v1/cases/{receipt}/actions", headers=csrf,
                              json={"action": "complete", "result": "certificate"})
        assert refused.status_code == 409 and "no certificate issuer" in refused.json()["detail"]
    finally:
        client.__exit__(None, None, None)
