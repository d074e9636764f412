"""The raw baseline of ``bench/fleet.py``: the same server stack as ``kiosk-central`` (FastAPI
under uvicorn, same worker count) with one endpoint that reads the request body and answers.
What the platform does per request beyond this is what the bench's ratio measures."""

from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/v1/raw")
async def raw(request: Request) -> dict:
    """Read the whole body and answer with its length."""
    return {"received": len(await request.body())}
