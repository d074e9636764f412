"""``python -m netid_sim [--host 127.0.0.1] [--port 8765]``: run the 网证 simulator (main thread)."""

from __future__ import annotations

import argparse

import uvicorn

from .app import create_app


def main() -> None:
    """Parse the arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description="网证 verification simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
