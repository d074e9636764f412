"""schemathesis against the platform's published OpenAPI: whatever arrives, no server error,
every answer carries the platform header, and no unsigned request changes anything; the
terminal endpoints again with every request signed by an enrolled terminal, so the fuzzed bodies
get past the signature check (``central.limits``) into the handlers; and the operator API with
an admin's session (cookie and ``X-CSRF-Token``; logged in with password and TOTP), so the
fuzzed requests get past the login into the handlers."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import hypothesis
import requests
import schemathesis
from schemathesis.checks import not_a_server_error

from central.app import create_app
from egov_protocol.auth import sign_request
from egov_protocol.batch_wire import CONTENT_TYPE as BATCH_CONTENT_TYPE
from egov_protocol.keys import TerminalKeys
from tests.conftest import log_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

# The binary batch framing is sent as raw bytes, like application/octet-stream.
schemathesis.serializer.alias(BATCH_CONTENT_TYPE, "application/octet-stream")

APP = create_app(tempfile.mkdtemp(prefix="egov-schemathesis-"))
# The published document needs an operator's login; the same document, from the app itself.
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP


@schema.parametrize()
@hypothesis.settings(max_examples=25, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_the_api_never_fails_with_a_server_error(case):
    response = case.call()
    case.validate_response(response, checks=(not_a_server_error,))
    assert response.headers.get("x-egov-central") == ["1"]
    if case.method.upper() in ("PUT", "PATCH") or case.path in ("/v1/batches", "/v1/heartbeats",
                                                               "/v1/terminal-key", "/v1/tokens"):
        assert 400 <= response.status_code < 500, response.text  # a signature or a login
    assert APP.state.store.submission_ids() == []


TERMINAL_ID = "GZ01-T01"
KEYS = TerminalKeys.load_or_create(Path(tempfile.mkdtemp(prefix="egov-schemathesis-keys-")) / "k")
APP.state.store.enroll(APP.state.store.issue_token(), TERMINAL_ID, KEYS.public_key, KEYS.key_id,
                       "GZ01")
CLIENT = TestClient(APP, raise_server_exceptions=False)
TERMINAL_API = schema.include(
    path_regex=r"^/v1/(submissions/\{|batches|blobs|heartbeats|terminal-key|documents|"
               r"person-cases|case-updates|case-by-receipt)")


@TERMINAL_API.parametrize()
@hypothesis.settings(max_examples=25, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_the_terminal_api_signed_never_fails_with_a_server_error(case):
    request = requests.Request(**{key: value for key, value in case.as_transport_kwargs(
        base_url="http://testserver").items() if key != "cookies"}).prepare()
    body = request.body or b""
    body = body.encode() if isinstance(body, str) else body
    headers = {**dict(request.headers), **sign_request(KEYS.signing_key, TERMINAL_ID,
                                                       request.method, request.path_url, body)}
    response = CLIENT.request(request.method, request.url, content=body, headers=headers)
    assert response.status_code < 500, response.text
    assert response.headers.get("x-egov-central") == "1"


OPERATOR = TestClient(APP, raise_server_exceptions=False)
log_in(OPERATOR, APP.state.accounts, "admin")
CSRF = OPERATOR.get("/v1/session").json()["csrf"]
OPERATOR_API = schema.include(tag="operators")


@OPERATOR_API.parametrize()
@hypothesis.settings(max_examples=25, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_the_operator_api_logged_in_never_fails_with_a_server_error(case):
    request = requests.Request(**{key: value for key, value in case.as_transport_kwargs(
        base_url="http://testserver").items() if key != "cookies"}).prepare()
    headers = {**dict(request.headers), "X-CSRF-Token": CSRF}
    response = OPERATOR.request(request.method, request.url, content=request.body,
                                headers=headers)
    assert response.status_code < 500, response.text
    assert response.status_code != 401, "the session ended under the fuzzing"
    assert response.headers.get("x-egov-central") == "1"


WORKER = TestClient(APP, raise_server_exceptions=False)
log_in(WORKER, APP.state.accounts, "case-worker")
WORKER_CSRF = WORKER.get("/v1/session").json()["csrf"]
CASE_API = schema.include(path_regex=r"^/v1/cases")


@CASE_API.parametrize()
@hypothesis.settings(max_examples=25, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
def test_the_case_worker_api_with_a_session_never_fails_with_a_server_error(case):
    request = requests.Request(**{key: value for key, value in case.as_transport_kwargs(
        base_url="http://testserver").items() if key != "cookies"}).prepare()
    body = request.body or b""
    response = WORKER.request(request.method, request.url,
                              content=body.encode() if isinstance(body, str) else body,
                              headers={**dict(request.headers), "X-CSRF-Token": WORKER_CSRF})
    assert response.status_code < 500, response.text
