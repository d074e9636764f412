"""The simulator's HTTP API: ``POST /v1/codes`` issues a code (demo buttons), ``POST /v1/verify``
verifies one. FastAPI runs the handlers on its worker threads; the :class:`CodeBook` locks."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .codes import LEVELS, CodeBook, Holder, Refused

#: The demo person a code stands for when the issuer names none (fictitious; checksum-valid).
DEMO_HOLDER = Holder("张三", "110105199003071239", 1)


class IssueRequest(BaseModel):
    """Who the code is for (the demo person by default) and how long it lives."""

    name: str = Field(DEMO_HOLDER.name, min_length=1, max_length=64)
    id_number: str = Field(DEMO_HOLDER.id_number, min_length=1, max_length=32)
    level: int = Field(DEMO_HOLDER.level, ge=1, le=max(LEVELS))
    ttl_s: float = Field(180.0, gt=0, le=3600)
    #: "expired": already past its expiry; "forged": signed by a key this service does not hold.
    kind: Literal["valid", "expired", "forged"] = "valid"


class VerifyRequest(BaseModel):
    """The code as scanned."""

    code: str = Field(min_length=1, max_length=4096)


def create_app(book: CodeBook | None = None) -> FastAPI:
    """The service around ``book`` (a fresh one with a new signing key by default)."""
    codes = book or CodeBook()
    app = FastAPI(title="网证 verification simulator", docs_url=None, redoc_url=None)

    @app.post("/v1/codes")
    def issue(request: IssueRequest) -> dict[str, Any]:
        code, expires = codes.issue(Holder(request.name, request.id_number, request.level), request.ttl_s,
                                    kind=request.kind)
        return {"code": code, "expires_at": expires}

    @app.post("/v1/verify", response_model=None)
    def verify(request: VerifyRequest) -> dict[str, Any] | JSONResponse:
        try:
            holder = codes.verify(request.code)
        except Refused as refused:
            return JSONResponse({"refusal": refused.reason.value}, status_code=422)
        return {"name": holder.name, "id_number": holder.id_number, "proved_by": LEVELS[holder.level],
                "level": holder.level}

    @app.get("/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
