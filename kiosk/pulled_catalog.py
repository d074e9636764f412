"""Which catalog the kiosk shows: the platform's last good copy when there is one, else the
packaged one.

The sync worker pulls the platform-signed ``catalog`` and ``forms`` documents, verifies their
signature and keeps the last good copy in the terminal database (``offline_cache.SyncState``,
table ``documents``). At start-up the journey thread reads that copy here, read-only with the
standard library's ``sqlite3`` (sqlite-utils and the store's migrations stay off the path to the
first frame), verifies the platform's signature over it again (``sync.documents``: a copy
edited on disk is refused with a log line) and validates it with ``Catalog.from_json``. No
copy, an unreadable database, a copy whose signature fails or one that fails validation means
the packaged catalog, with a log line saying why. So the last good copy keeps working offline,
and a bad publication never leaves the kiosk without services.

Document bodies: ``catalog`` is a catalog JSON object exactly like the packaged ``catalog.json``;
``forms`` is ``{"forms": [form definition, ...]}`` — those forms replace packaged forms with the
same id and version and add new ones.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from kiosk.catalog import Catalog
from kiosk.enrollment import Enrollment
from kiosk.forms import load_form
from kiosk.forms.problems import DefinitionError
from sync.documents import verified_copy

log = logging.getLogger(__name__)


def read_documents(db_path: Path, kinds: tuple[str, ...] = ("catalog", "forms")) -> dict[str, dict[str, Any]]:
    """The last good documents of ``kinds`` in the terminal database (missing kinds left out).
    Read-only; never creates the database. Any thread (its own connection)."""
    if not Path(db_path).exists():
        return {}
    try:
        conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True, timeout=2.0)
    except sqlite3.Error as exc:
        log.warning("cannot open the terminal database for the pulled catalog: %s", exc)
        return {}
    try:
        marks = ", ".join("?" for _ in kinds)
        rows = conn.execute(f"SELECT kind, document FROM documents WHERE kind IN ({marks})",
                            kinds).fetchall()
    except sqlite3.Error as exc:  # no documents table yet (a database before migration 1)
        log.info("no pulled documents to read: %s", exc)
        return {}
    finally:
        conn.close()
    keys = Enrollment(Path(db_path).parent).platform_keys()
    documents = {}
    for kind, text in rows:
        try:
            document = json.loads(text)
        except ValueError:
            log.warning("the stored %s document is not JSON; ignoring it", kind)
            continue
        if keys is None:
            log.warning("the stored %s document cannot be verified (not enrolled); ignoring it",
                        kind)
            continue
        document = verified_copy(document, kind, keys.ed25519_public)
        if document is not None:
            documents[kind] = document
    return documents


def load_catalog(db_path: Path) -> Catalog:
    """The catalog to show: the pulled last good copy if it validates, else the packaged one.
    Journey thread (reads a file and validates JSON schemas)."""
    bundled = Catalog.load_bundled()
    documents = read_documents(db_path)
    pulled = documents.get("catalog")
    # An empty body is the platform saying it publishes no catalog of its own (it signs ``{}``
    # until an operator runs ``kiosk-central publish``): the packaged one is the right one.
    if pulled is None or pulled.get("body") == {}:
        log.info("no catalog published by the platform: using the packaged catalog %s",
                 bundled.version)
        return bundled
    forms = dict(bundled.forms)
    try:
        extra = (documents.get("forms") or {}).get("body", {}).get("forms", [])
        if not isinstance(extra, list):
            raise TypeError("the forms document body must be {\"forms\": [...]}")
        for raw in extra:
            definition = load_form(raw)
            forms[(definition.id, definition.version)] = definition
        body = pulled.get("body")
        if not isinstance(body, dict):
            raise TypeError("the catalog document body must be an object")
        catalog = Catalog.from_json(body, forms.values())
    except (DefinitionError, TypeError, AttributeError) as exc:
        problems = "; ".join(str(p) for p in getattr(exc, "problems", ())[:5]) or str(exc)
        body = pulled.get("body")
        declared = body.get("version") if isinstance(body, dict) else None
        log.warning("the pulled catalog %s (document %s) is not usable, using the packaged "
                    "catalog %s: %s", declared, pulled.get("version"), bundled.version, problems)
        return bundled
    log.info("using the platform's catalog %s (document version %s)", catalog.version,
             pulled.get("version"))
    return catalog
