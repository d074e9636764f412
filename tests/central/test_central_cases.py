"""Cases on the platform in-process (Starlette's TestClient): submissions sealed as a terminal
seals them become cases; a case worker opens one with a reason (in the trail), accepts,
requests corrections, completes; a 补正 re-submission joins its case; the progress page and the
lookup by ID number (throttled) show no personal data; terminals ask for a person's cases and
for status changes with signed requests; the upgrade from schema 0003 adds the tables."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sqlite3
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from central.app import create_app
from central.cases_hooks import register_on_completed, unregister_on_completed
from central.cases_store import MAX_LOOKUP_FAILURES_PER_RECEIPT
from central.cases_tables import case_events, case_submissions, cases
from central.migrations import head_revision
from central.publishing import publish
from central.store import open_platform_store
from central.trail import PlatformTrail
from drivers.idcard.simulated.samples import sample_identity, sample_photo_jpeg
from egov_protocol.acks import verified_progress_token, verify_ack
from egov_protocol.cases import parse_case_statuses, parse_person_key, parse_status_updates
from egov_protocol.envelope import seal_detached
from kiosk.applicant import applicant_record
from tests.conftest import log_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # StarletteDeprecationWarning: it would prefer httpx2
    from fastapi.testclient import TestClient

TERMINAL_ID = "GZ01-T01"
IDENTITY = sample_identity("resident_id")
OTHER_NUMBER = "110105194912310021"


def application(n: int, number: str = IDENTITY.document_number, corrects: str | None = None,
                service: str = "flexible-employment") -> tuple[dict, dict[str, bytes]]:
    """A payload shaped as ``kiosk/submission.py`` makes it, and its photos."""
    photo = sample_photo_jpeg() or b"\xff\xd8\xff\xe0fake"
    payload = {
        "schema": "egov-kiosk/submission/1", "submission_id": f"sub-{n:04d}",
        "receipt_number": f"{TERMINAL_ID}-20260301-{n:06d}", "site_code": "GZ01",
        "terminal_id": TERMINAL_ID, "service_id": service, "form_id": f"{service}-form",
        "form_version": 1, "language": "zh-CN", "submitted_at": "2026-03-01T08:00:00+08:00",
        "consent": {"given": True, "at": "2026-03-01T08:00:00+08:00"},
        "applicant": {**applicant_record(IDENTITY), "document_number": number,
                      "identity_verification": {
                          "decision": "staff_review", "reasons": ["liveness:not_performed"],
                          "match": {"backend": "dlib", "score": 0.3712, "threshold": 0.6,
                                    "matched": True},
                          "liveness": {"passed": False, "reasons": ["not_performed"]},
                          "capture": "automatic"}},
        "answers": {"phone": "13800000000",
                    "signature": {"w": 400, "h": 160, "strokes": [[20, 80, 120, 40, 220, 120]]}},
        "attachments": {},
    }
    if corrects:
        payload["corrects_receipt"] = corrects
    return payload, {"face.jpg": photo, "document_photo.jpg": photo,
                     "household_register.jpg": photo}


def signed(client, keys, method, path, body=None):
    from egov_protocol.auth import sign_request

    content = b"" if body is None else json.dumps(body).encode()
    headers = sign_request(keys.signing_key, TERMINAL_ID, method, path, content)
    if body is not None:
        headers["Content-Type"] = "application/json"
    return client.request(method, path, content=content, headers=headers)


def submit(client, keys, payload, photos, body=None):
    """PUT the sealed submission (``body``: the same sealed bytes again, for a resend)."""
    if body is None:
        platform = client.app.state.keys
        sealed, blobs = seal_detached(json.dumps(payload, ensure_ascii=False).encode(), photos,
                                      platform.x25519_public, keys.signing_key, keys.key_id)
        body = {"receipt_number": payload["receipt_number"],
                "digest": hashlib.sha256(sealed).hexdigest(),
                "envelope_b64": base64.b64encode(sealed).decode(),
                "blobs": {ref: base64.b64encode(data).decode() for ref, data in blobs.items()}}
    answer = signed(client, keys, "PUT", f"/v1/submissions/{payload['submission_id']}", body)
    answer.sent = body
    return answer


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request, tmp_path, terminal_keys):
    url = request.getfixturevalue("fresh_postgres") if request.param == "postgresql" else None
    with TestClient(create_app(tmp_path / "central", url),
                    raise_server_exceptions=False) as client:
        token = client.app.state.store.issue_token(TERMINAL_ID)
        assert client.post("/v1/enroll", json={"token": token, "terminal_id": TERMINAL_ID,
                                               "public_key": terminal_keys.public_key_b64,
                                               "site": "GZ01"}).status_code == 201
        client.keys = terminal_keys
        yield client


def worker(client) -> tuple[str, dict]:
    """Log a case worker in on ``client``; their name and the CSRF header."""
    name = log_in(client, client.app.state.accounts, "case-worker")
    return name, {"X-CSRF-Token": client.get("/v1/session").json()["csrf"]}


def test_a_submission_becomes_a_case_that_a_worker_opens_accepts_and_completes(client):
    answer = submit(client, client.keys, *application(1))
    assert answer.status_code == 201
    ack = answer.json()
    platform_key = client.app.state.keys.ed25519_public
    verify_ack(ack, platform_key)
    token = verified_progress_token(ack, platform_key)
    assert token and len(token) >= 22
    again = submit(client, client.keys, *application(1), body=answer.sent)  # a resend
    assert again.status_code == 200
    assert verified_progress_token(again.json(), platform_key) == token  # same case, same token

    assert client.get("/v1/cases").status_code == 401  # no session
    name, csrf = worker(client)
    queue = client.get("/v1/cases").json()
    assert queue["total"] == 1
    [case] = queue["items"]
    receipt = case["receipt_number"]
    assert (case["status"], case["site"], case["actions"]) == \
        ("received", "GZ01", ["accept", "request_corrections", "reject"])
    assert IDENTITY.name not in json.dumps(queue)
    assert client.post(f"/v1/cases/{receipt}/open", json={"reason": "x"},
                       headers=csrf).status_code == 422
    assert client.post(f"/v1/cases/{receipt}/open",
                       json={"reason": "审核申报材料"}).status_code == 403  # no CSRF header
    opened = client.post(f"/v1/cases/{receipt}/open", json={"reason": "审核申报材料"},
                         headers=csrf).json()["submission"]
    assert opened["applicant"]["name"] == IDENTITY.name
    assert opened["verification"]["staff_review"] and opened["verification"]["score"] == 0.3712
    assert base64.b64decode(opened["attachments"]["face.jpg"]).startswith(b"\xff\xd8")
    trail = [(e["operator"], e["action"], e["subject"])
             for e in PlatformTrail(client.app.state.store.db).entries()]
    assert (name, "opened case", f"{receipt} submission sub-0001: 审核申报材料") in trail

    refused = client.post(f"/v1/cases/{receipt}/actions", headers=csrf,
                          json={"action": "complete", "result": "pickup", "note": "3号窗口"})
    assert refused.status_code == 409  # not accepted yet
    accepted = client.post(f"/v1/cases/{receipt}/actions", headers=csrf,
                           json={"action": "accept", "expected_status": "received"}).json()
    assert accepted["status"] == "accepted"
    stale = client.post(f"/v1/cases/{receipt}/actions", headers=csrf,
                        json={"action": "reject", "note": "no", "expected_status": "received"})
    assert stale.status_code == 409
    done = client.post(f"/v1/cases/{receipt}/actions", headers=csrf, json={
        "action": "complete", "result": "pickup", "note": "请于3个工作日后到3号窗口领取"}).json()
    assert done["status"] == "completed" and done["actions"] == []
    assert [(e["actor"], e["status"]) for e in done["history"]] == [
        (f"terminal:{TERMINAL_ID}", "received"), (name, "accepted"), (name, "completed")]

    publish(client.app.state.published, "catalog", {"services": [
        {"id": "flexible-employment", "title": {"zh-CN": "灵活就业参保登记",
                                                "en": "Flexible employment insurance"}}]})
    page = client.get(f"/progress/{receipt}", params={"t": token})
    assert page.status_code == 200 and "已办结" in page.text and "3号窗口" in page.text
    assert "灵活就业参保登记" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    for personal in (IDENTITY.name, IDENTITY.document_number, "13800000000", IDENTITY.address):
        assert personal not in page.text
    other = token[:-1] + ("B" if token[-1] != "B" else "C")  # one character off
    assert client.get(f"/progress/{receipt}", params={"t": other}).status_code == 404
    assert client.get(f"/progress/{receipt}").status_code == 404


def test_a_batch_files_its_applications_and_each_ack_carries_the_token(client):
    items = []
    for n in (1, 2):
        payload, photos = application(n)
        sealed, blobs = seal_detached(json.dumps(payload, ensure_ascii=False).encode(), photos,
                                      client.app.state.keys.x25519_public,
                                      client.keys.signing_key, client.keys.key_id)
        items.append({"id": payload["submission_id"], "receipt_number": payload["receipt_number"],
                      "digest": hashlib.sha256(sealed).hexdigest(),
                      "envelope_b64": base64.b64encode(sealed).decode(),
                      "blobs": {r: base64.b64encode(d).decode() for r, d in blobs.items()}})
    results = signed(client, client.keys, "POST", "/v1/batches", {"items": items}).json()
    platform_key = client.app.state.keys.ed25519_public
    tokens = [verified_progress_token(r["receipt"], platform_key) for r in results["results"]]
    assert all(tokens) and len(set(tokens)) == 2
    for item, token in zip(items, tokens, strict=True):
        assert client.get(f"/progress/{item['receipt_number']}", params={"t": token}
                          ).status_code == 200


def test_the_lookup_by_receipt_and_id_number_leads_to_the_page_and_is_throttled(client):
    submit(client, client.keys, *application(1))
    receipt = f"{TERMINAL_ID}-20260301-000001"
    found = client.post("/progress", data={"receipt_number": receipt,
                                           "id_number": IDENTITY.document_number.lower()},
                        follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"].startswith(
        f"/progress/{receipt}?t=")
    assert "已接收" in client.get(found.headers["location"]).text
    for _ in range(MAX_LOOKUP_FAILURES_PER_RECEIPT):
        assert client.post("/progress", data={"receipt_number": receipt,
                                              "id_number": OTHER_NUMBER}).status_code == 404
    throttled = client.post("/progress", data={"receipt_number": receipt,
                                               "id_number": IDENTITY.document_number})
    assert throttled.status_code == 429  # even the right number, for a while


def test_a_corrected_resubmission_joins_its_case_and_terminals_see_it(client):
    submit(client, client.keys, *application(1))
    first = f"{TERMINAL_ID}-20260301-000001"
    _, csrf = worker(client)
    assert client.post(f"/v1/cases/{first}/actions", headers=csrf,
                       json={"action": "request_corrections", "note": ""}).status_code == 409
    asked = client.post(f"/v1/cases/{first}/actions", headers=csrf, json={
        "action": "request_corrections", "note": "请重新拍摄户口簿首页"}).json()
    assert asked["status"] == "corrections_requested"

    # Another person naming this receipt does not join it; the same person does.
    assert submit(client, client.keys, *application(2, OTHER_NUMBER, corrects=first)
                  ).status_code == 201
    joined = submit(client, client.keys, *application(3, corrects=first))
    platform_key = client.app.state.keys.ed25519_public
    token = verified_progress_token(joined.json(), platform_key)
    case = client.get(f"/v1/cases/{TERMINAL_ID}-20260301-000003").json()
    assert case["receipt_number"] == first and case["status"] == "resubmitted"
    assert [s["receipt_number"] for s in case["submissions"]] == [
        first, f"{TERMINAL_ID}-20260301-000003"]
    other = client.get(f"/v1/cases/{TERMINAL_ID}-20260301-000002").json()
    assert other["status"] == "received" and "another applicant" in other["history"][0]["note"]
    assert client.get(f"/progress/{TERMINAL_ID}-20260301-000003", params={"t": token}
                      ).status_code == 200  # the re-submission's ack leads to the same case

    key_id, key = parse_person_key(signed(client, client.keys, "GET",
                                          "/v1/person-cases/key").json())
    from egov_protocol.cases import person_hash

    assert key_id.startswith("person-")
    mine = parse_case_statuses(signed(client, client.keys, "POST", "/v1/person-cases",
                                      {"person_hash": person_hash(key, IDENTITY.document_number)}
                                      ).json())
    assert [(c.receipt_number, c.status) for c in mine] == [(first, "resubmitted")]
    updates, cursor = parse_status_updates(signed(client, client.keys, "GET",
                                                  "/v1/case-updates?since=0").json())
    assert [(u.receipt_number, u.status) for u in updates] == [
        (first, "received"), (first, "corrections_requested"),
        (f"{TERMINAL_ID}-20260301-000002", "received"), (first, "resubmitted")]
    assert updates[1].correction_requested and updates[1].note == "请重新拍摄户口簿首页"
    assert parse_status_updates(signed(client, client.keys, "GET",
                                       f"/v1/case-updates?since={cursor}").json())[0] == []
    assert client.get("/v1/case-updates").status_code == 401  # unsigned


def test_a_certificate_completion_runs_the_registered_issuer(client):
    submit(client, client.keys, *application(1))
    receipt = f"{TERMINAL_ID}-20260301-000001"
    _, csrf = worker(client)
    client.post(f"/v1/cases/{receipt}/actions", headers=csrf, json={"action": "accept"})
    body = {"action": "complete", "result": "certificate"}
    missing = client.post(f"/v1/cases/{receipt}/actions", headers=csrf, json=body)
    assert missing.status_code == 409 and "no certificate issuer" in missing.json()["detail"]
    seen = []

    def issue(case):
        seen.append((case.receipt_number, case.payload["applicant"]["name"]))
        return "certificate CERT-0001 issued"

    register_on_completed(issue)
    try:
        done = client.post(f"/v1/cases/{receipt}/actions", headers=csrf, json=body).json()
    finally:
        unregister_on_completed(issue)
    assert seen == [(receipt, IDENTITY.name)]
    assert done["status"] == "completed" and "CERT-0001" in done["history"][-1]["note"]


def test_only_case_workers_reach_cases_and_the_pages_ask_for_a_reason(client):
    submit(client, client.keys, *application(1))
    receipt = f"{TERMINAL_ID}-20260301-000001"
    log_in(client, client.app.state.accounts, "fleet-operator")
    assert client.get("/v1/cases").status_code == 403
    assert client.get("/cases").status_code == 403
    client.cookies.clear()
    worker(client)
    page = client.get(f"/cases/{receipt}")
    assert page.status_code == 200 and 'id="reason"' in page.text
    assert IDENTITY.name not in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    opened = client.post(f"/cases/{receipt}/open", data={"csrf": csrf, "reason": "复核人证核验"})
    assert IDENTITY.name in opened.text and 'id="live-photo"' in opened.text
    assert "Staff review needed" in opened.text and "0.3712" in opened.text
    assert "household_register.jpg" in opened.text and 'class="attachment"' in opened.text
    assert 'id="signature-signature"' in opened.text
    assert opened.headers["Cache-Control"] == "no-store"
    assert client.post(f"/cases/{receipt}/open", data={"csrf": "forged", "reason": "look"}
                       ).status_code == 403
    queue = client.get("/cases", params={"status": "received", "service": "flexible-employment"})
    assert receipt in queue.text and IDENTITY.name not in queue.text
    assert receipt not in client.get("/cases", params={"status": "completed"}).text
    assert receipt not in client.get("/cases", params={"min_age_days": "2"}).text


def test_applications_stored_before_cases_are_filed_when_the_queue_is_read(client, tmp_path):
    submit(client, client.keys, *application(1))
    with client.app.state.store.db.transaction() as conn:  # as a database from before cases
        for table in (case_events, case_submissions, cases):
            conn.execute(delete(table))
    _, _ = worker(client)
    assert client.get("/v1/cases").json()["total"] == 1


def test_a_database_of_revision_0003_gains_the_case_tables_in_place(tmp_path):
    store = open_platform_store(tmp_path)
    store.close()
    with sqlite3.connect(tmp_path / "central.sqlite3") as conn:
        for table in ("case_events", "case_submissions", "cases", "progress_lookup_failures"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("UPDATE alembic_version SET version_num = '0003'")
    open_platform_store(tmp_path).close()
    with sqlite3.connect(tmp_path / "central.sqlite3") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert {"cases", "case_events", "case_submissions", "progress_lookup_failures"} <= tables
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)]


@pytest.fixture(scope="module")
def lookup_client(tmp_path_factory):
    with TestClient(create_app(tmp_path_factory.mktemp("lookup") / "central"),
                    raise_server_exceptions=False) as client:
        yield client


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(receipt=st.text(max_size=140), number=st.text(max_size=70),
       token=st.text(max_size=70))
def test_whatever_a_citizen_types_gets_an_answer_not_an_error(lookup_client, receipt, number,
                                                              token):
    answer = lookup_client.post("/progress", data={"receipt_number": receipt,
                                                   "id_number": number})
    assert answer.status_code in (404, 429), answer.text
    page = lookup_client.get("/progress/GZ01-T01-20260301-000001", params={"t": token})
    assert page.status_code in (404, 422)


def test_scanned_materials_show_on_the_case_page_by_material_and_in_the_api(client):
    payload, photos = application(1)
    page = photos["face.jpg"]
    payload["materials"] = [
        {"name": "经营场所使用证明", "name_en": "Proof of the right to use the premises", "required": True,
         "pages": ["material-1-page-1.jpg", "material-1-page-2.jpg"]},
        {"name": "出租方房屋产权证明", "name_en": "Landlord's proof of ownership", "required": False, "pages": []}]
    photos.update({"material-1-page-1.jpg": page, "material-1-page-2.jpg": page})
    assert submit(client, client.keys, payload, photos).status_code == 201
    receipt = f"{TERMINAL_ID}-20260301-000001"
    _, headers = worker(client)
    page_html = client.get(f"/cases/{receipt}").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page_html).group(1)
    opened = client.post(f"/cases/{receipt}/open", data={"csrf": csrf, "reason": "审核申报材料"}).text
    section = opened[opened.index("Materials 材料"):opened.index("Attachments 附件")]
    assert "经营场所使用证明" in section and "required 必须" in section and "2 page(s)" in section
    assert section.count('class="material-page"') == 2 and "出租方房屋产权证明" in section
    assert "material-1-page-1.jpg" not in opened[opened.index("Attachments 附件"):]  # not listed twice
    api = client.post(f"/v1/cases/{receipt}/open", json={"reason": "审核申报材料"},
                      headers=headers).json()["submission"]
    assert api["materials"][0]["pages"] == ["material-1-page-1.jpg", "material-1-page-2.jpg"]
    assert base64.b64decode(api["attachments"]["material-1-page-2.jpg"]).startswith(b"\xff\xd8")
