"""Blobs: detached attachment ciphertexts, uploaded in resumable parts before the submission
that references them (signed). ``GET`` tells where an interrupted upload continues."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ..dependencies import Sha256, Store, Terminal
from ..errors import BlobMismatch
from ..limits import MAX_REQUEST_BYTES

router = APIRouter(tags=["blobs"])


@router.get("/v1/blobs/{sha256}")
def blob_status(sha256: Sha256, terminal: Terminal, store: Store) -> dict:
    """How much of a blob the platform holds: where a resumed upload continues (signed)."""
    complete, offset = store.blob_offset(sha256)
    return {"sha256": sha256, "complete": complete, "offset": offset}


@router.patch("/v1/blobs/{sha256}")
async def blob_append(sha256: Sha256, request: Request, terminal: Terminal, store: Store,
                      upload_offset: Annotated[int, Header(ge=0)],
                      upload_length: Annotated[int, Header(ge=1, le=MAX_REQUEST_BYTES)]
                      ) -> JSONResponse:
    """Append raw bytes at ``Upload-Offset`` of a blob of ``Upload-Length`` bytes (signed)."""
    data = await request.body()
    try:
        complete, offset = await run_in_threadpool(
            store.append_blob, sha256, upload_offset, upload_length, data)
    except BlobMismatch as exc:
        _, held = await run_in_threadpool(store.blob_offset, sha256)
        return JSONResponse({"detail": str(exc), "offset": held}, status_code=409)
    return JSONResponse({"sha256": sha256, "complete": complete, "offset": offset})
