"""ASGI middleware of the platform: the platform header on every answer (the body-size limit is
``central.limits``)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders

from egov_protocol.protocol import CENTRAL_HEADER, CENTRAL_HEADER_VALUE


class CentralHeaderMiddleware:
    """ASGI middleware: stamps the platform header on every response."""

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

        await self.app(scope, receive, send_with_header)
