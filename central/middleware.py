"""ASGI middleware of the platform: the platform header on every answer, and the body-size limit."""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders

from egov_protocol.protocol import CENTRAL_HEADER, CENTRAL_HEADER_VALUE

MAX_REQUEST_BYTES = 96 * 1024 * 1024


class CentralHeaderMiddleware:
    """ASGI middleware: stamps the platform header on every response and refuses oversized
    bodies before they are read."""

    def __init__(self, app) -> None:
        """Wrap the ASGI ``app``."""
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append(CENTRAL_HEADER, CENTRAL_HEADER_VALUE)
            await send(message)

        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            response = JSONResponse({"detail": "request body too large"}, status_code=413)
            await response(scope, receive, send_with_header)
            return
        await self.app(scope, receive, send_with_header)
