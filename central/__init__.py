"""The platform behind the terminals (console script ``kiosk-central``).

It receives sealed submissions, blobs and heartbeats from enrolled terminals over signed HTTP
requests, stores them (SQLite or PostgreSQL), publishes signed documents and shows operators the
fleet. It speaks the protocol of ``egov_protocol`` and imports no terminal package (``kiosk``,
``ui``, ``drivers``, ``offline_cache``, ``sync``); the terminal reaches it only over HTTP.
Server-only dependencies (FastAPI, uvicorn, psycopg) come with the ``central`` extra.

``central.app`` is the web application, ``central.cli`` the command line, ``central.store`` the
database.
"""
