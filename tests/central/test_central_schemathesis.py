"""schemathesis against the platform's published OpenAPI: whatever arrives, no server error,
every answer carries the platform header, and no unsigned request changes anything."""

from __future__ import annotations

import tempfile

import hypothesis
import schemathesis
from schemathesis.checks import not_a_server_error

from egov_protocol.batch_wire import CONTENT_TYPE as BATCH_CONTENT_TYPE
from central.app import create_app

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
