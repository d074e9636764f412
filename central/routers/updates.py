"""Updates: the TUF repository of terminal releases (``central.releases``), read-only and unsigned.

``GET /v1/updates/metadata/<name>`` serves root, timestamp, snapshot and targets metadata;
``GET /v1/updates/targets/<path>`` the release's files under their hash-prefixed names. Nothing
here needs trust in the transport or the platform's server: terminals verify every byte against
the TUF metadata signed with keys the server does not hold (``kiosk-central release``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

router = APIRouter(tags=["updates"])

_METADATA_NAME = r"^([0-9]{1,12}\.)?(root|timestamp|snapshot|targets)\.json$"
# Folders and names of a build: no dot-files (the lock, temporaries), no "..".
_TARGET_PART = re.compile(r"^[A-Za-z0-9_+@=,-][A-Za-z0-9._+@=,-]{0,254}$")


def _serve(folder: Path, relative: str, cache: str) -> FileResponse:
    path = folder / relative
    if not path.is_file():
        raise HTTPException(404, "not published")
    return FileResponse(path, media_type="application/octet-stream",
                        headers={"Cache-Control": cache})


@router.get("/v1/updates/metadata/{name}")
def metadata(name: Annotated[str, PathParam(pattern=_METADATA_NAME)],
             request: Request) -> FileResponse:
    """One metadata file (unsigned request). Versioned names never change; ``timestamp.json``
    changes with every publication and refresh."""
    cache = "no-cache" if name == "timestamp.json" else "public, max-age=86400, immutable"
    return _serve(request.app.state.updates / "metadata", name, cache)


@router.get("/v1/updates/targets/{path:path}")
def target(path: str, request: Request) -> FileResponse:
    """One release file under its hash-prefixed name (unsigned request; immutable)."""
    parts = path.split("/")
    if len(parts) > 32 or not all(_TARGET_PART.match(part) for part in parts):
        raise HTTPException(404, "not published")
    return _serve(request.app.state.updates / "targets", path,
                  "public, max-age=86400, immutable")

