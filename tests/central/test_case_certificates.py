"""A case worker completes a 灵活就业人员参保登记 case with a certificate: the platform's own
certificate office issues it from the case's payload (no hook to register), the history says
so, the holder's terminal finds it by the person hash, and its verification page opens; a
service that yields no certificate, or a platform without a seal, gets a clear refusal and the
case stays as it was. On SQLite and PostgreSQL."""

from __future__ import annotations

from central.seal import make_demo_seal
from egov_protocol.cases import parse_person_key, person_hash
from egov_protocol.certificates import PDF_PATH, SEARCH_PATH
from tests.central.test_central_cases import (
    IDENTITY,
    TERMINAL_ID,
    application,
    client,
    signed,
    submit,
    worker,
)

__all__ = ["client"]  # the fixture, imported for the tests here
SERVICE = "flexible_employment_insurance"
COMPLETE = {"action": "complete", "result": "certificate", "note": "参保证明已出具"}


def receipt(n: int) -> str:
    return f"{TERMINAL_ID}-20260301-{n:06d}"


def accepted(client, n: int, service: str = SERVICE) -> dict:
    payload, photos = application(n, service=service)
    payload["answers"].update({"employment_type": "platform", "insurance_types": ["pension"],
                               "contribution_level": "60", "start_date": "2026-04-01"})
    assert submit(client, client.keys, payload, photos).status_code == 201
    _, csrf = worker(client)
    assert client.post(f"/v1/cases/{receipt(n)}/actions", headers=csrf,
                       json={"action": "accept"}).status_code == 200
    return csrf


def test_completing_with_a_certificate_issues_it_from_the_case(client):
    office = client.app.state.certificates
    make_demo_seal(office.seal_folder)
    csrf = accepted(client, 1)
    done = client.post(f"/v1/cases/{receipt(1)}/actions", headers=csrf, json=COMPLETE)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    assert "certificate" in done.json()["history"][-1]["note"]
    # The holder's terminal finds it with the person hash it makes itself (signed requests).
    _, key = parse_person_key(signed(client, client.keys, "GET", "/v1/person-cases/key").json())
    holder = {"person_hash": person_hash(key, IDENTITY.document_number)}
    found = signed(client, client.keys, "POST", SEARCH_PATH, holder).json()
    items = found["items"]
    assert [(d["kind"], d["receipt_number"]) for d in items] == [
        ("flexible_employment_insurance_certificate", receipt(1))]
    pdf = signed(client, client.keys, "POST", PDF_PATH.format(document_id=items[0]["document_id"]),
                 holder)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_service_without_a_certificate_or_a_platform_without_a_seal_is_refused(client):
    csrf = accepted(client, 1, service="flexible-employment")
    refused = client.post(f"/v1/cases/{receipt(1)}/actions", headers=csrf, json=COMPLETE)
    assert refused.status_code == 409 and "no certificate issuer" in refused.json()["detail"]
    csrf = accepted(client, 2)  # no seal installed on this platform
    refused = client.post(f"/v1/cases/{receipt(2)}/actions", headers=csrf, json=COMPLETE)
    assert refused.status_code == 409 and "seal" in refused.json()["detail"]
    assert client.get(f"/v1/cases/{receipt(2)}").json()["status"] == "accepted"
