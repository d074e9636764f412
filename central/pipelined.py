"""Storing submissions on PostgreSQL in one round trip: psycopg's pipeline mode.

A submission's transaction is BEGIN, the request's nonce, the submission, its attachment rows,
its blobs and COMMIT. Sent one by one, each waits for the server's answer, and on a busy machine
for the server process to be scheduled; pipelined, they go out together and the answers come
back together. So that no statement depends on an answer not read yet, the later ones carry
their condition in SQL: attachments and blobs are inserted only where the submission row with
this attempt's own ``central_receipt`` exists, i.e. where this transaction's insert won; a
replayed nonce or a changed terminal (read after the sync) rolls the whole transaction back.
Deduplication stays ``INSERT … ON CONFLICT DO NOTHING`` and each statement's rowcount.
An application that opens a case (``central.cases_store``: no 补正 re-submission) is filed in the
same transaction, on the same condition: its case, the case's submission and its first event,
after the terminal's advisory lock that orders its case events (taken first, so two requests of
one terminal never wait on each other in opposite order). The filing is part of the single
round trip instead of a transaction of its own after it (some ten statements, each a wait on a
busy machine and a few hundred microseconds of the worker's CPU).

The statements are SQLAlchemy Core expressions on ``central.tables``, compiled once for the
PostgreSQL dialect and run on the pooled connection's psycopg connection.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Connection,
    Integer,
    LargeBinary,
    Text,
    bindparam,
    case,
    delete,
    exists,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert

from .cases import RECEIVED
from .cases_store import EVENT_LOCK, CaseIntake
from .cases_tables import case_events, case_submissions, cases
from .errors import NonceReplayed, ReceiptNumberTaken
from .nonces import refuse_changed
from .tables import blobs, nonces, submission_attachments, submissions, terminals

_COMPILED: dict[str, str] = {}


def _won(column_id: str = "submission_id"):
    """This attempt's submission row exists (the insert of this transaction won)."""
    return exists().where(submissions.c.id == bindparam(column_id, type_=Text),
                          submissions.c.central_receipt == bindparam("central_receipt",
                                                                     type_=Text))


def _params(*names_types):
    return [bindparam(name, type_=kind) for name, kind in names_types]


_STATEMENTS: dict[str, Callable] = {
    "nonce": lambda: insert(nonces).from_select(
        ["terminal_id", "nonce", "seen_at"],
        select(*_params(("terminal_id", Text), ("nonce", Text), ("seen_at", Text)))
        .where(exists().where(terminals.c.terminal_id == bindparam("terminal_id", type_=Text),
                              terminals.c.status == literal_column("'active'"),
                              terminals.c.key_id == bindparam("key_id", type_=Text))),
    ).on_conflict_do_nothing(),
    "old_nonces": lambda: delete(nonces).where(nonces.c.seen_at < bindparam("before", type_=Text)),
    "submission": lambda: insert(submissions).on_conflict_do_nothing(),
    "attachment": lambda: insert(submission_attachments).from_select(
        ["submission_id", "name", "sha256", "size_bytes", "content"],
        select(*_params(("submission_id", Text), ("name", Text), ("sha256", Text),
                        ("size_bytes", Integer), ("content", LargeBinary))).where(_won()),
    ).on_conflict_do_nothing(),
    "blob": lambda: insert(blobs).from_select(
        ["sha256", "size_bytes", "content", "received_at", "segment", "offset_bytes"],
        select(*_params(("sha256", Text), ("size_bytes", Integer), ("content", LargeBinary),
                        ("received_at", Text), ("segment", Text), ("offset_bytes", Integer)))
        .where(_won()),
    ).on_conflict_do_nothing(),
    "case_lock": lambda: text("SELECT pg_advisory_xact_lock(:lock, hashtext(:terminal))"),
    # The terminal's token hash unless another case holds it (then the platform's own).
    "case": lambda: insert(cases).from_select(
        ["case_id", "receipt_number", "service_id", "site", "terminal_id", "status",
         "received_at", "updated_at", "person_hash", "token_hash", "citizen_note"],
        select(*_params(("submission_id", Text), ("receipt_number", Text), ("service_id", Text),
                        ("site", Text), ("terminal_id", Text), ("status", Text),
                        ("received_at", Text), ("received_at", Text), ("person_hash", Text)),
               case((exists().where(cases.c.token_hash == bindparam("token_hash", type_=Text)),
                     bindparam("fallback_token_hash", type_=Text)),
                    else_=bindparam("token_hash", type_=Text)),
               literal_column("''")).where(_won())),
    "case_submission": lambda: insert(case_submissions).from_select(
        ["submission_id", "case_id", "linked_at"],
        select(*_params(("submission_id", Text), ("submission_id", Text),
                        ("received_at", Text))).where(_won())),
    "case_event": lambda: insert(case_events).from_select(
        ["case_id", "at", "actor", "action", "from_status", "status", "note"],
        select(*_params(("submission_id", Text), ("received_at", Text), ("actor", Text),
                        ("action", Text), ("from_status", Text), ("status", Text),
                        ("note", Text))).where(_won())),
    "terminal": lambda: select(terminals.c.status, terminals.c.key_id)
    .where(terminals.c.terminal_id == bindparam("terminal_id", type_=Text)),
    "existing": lambda: select(submissions.c.id, submissions.c.receipt_number,
                               submissions.c.terminal_id, submissions.c.digest,
                               submissions.c.central_receipt, submissions.c.service_id,
                               submissions.c.form_id, submissions.c.form_version,
                               submissions.c.received_at)
    .where(submissions.c.id == bindparam("id", type_=Text)),
}


def _sql(name: str, conn: Connection) -> str:
    sql = _COMPILED.get(name)
    if sql is None:
        sql = _COMPILED[name] = str(_STATEMENTS[name]().compile(dialect=conn.dialect))
    return sql


def insert_pipelined(conn: Connection, items: list, nonce: tuple | None, now: str,
                     placed: dict[str, tuple[str, int]], list_fields: tuple[str, ...],
                     opening: list[CaseIntake | None] | None = None) -> list:
    """Store ``items`` (``(NewSubmission, blobs)``; ``placed``: those written to segment files
    already) and record ``nonce`` ``(terminal_id, nonce,
    window_s, key_id)`` in one pipelined transaction on ``conn`` (not in a transaction); with
    ``opening`` (one per item), file each item's new case given there where the item is stored
    now. Per item ``(created, row)`` or ``ReceiptNumberTaken``; raises ``NonceReplayed`` or
    ``TerminalChanged`` (nothing stored)."""
    opening = opening or [None] * len(items)
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("the pipelined write needs an open psycopg connection")

    def send(name: str, params: dict):
        cursor = raw.cursor()
        cursor.execute(_sql(name, conn), params)
        return cursor

    with raw.pipeline() as pipeline, raw.transaction():
        for terminal_id in sorted({intake.terminal_id for intake in opening if intake}):
            send("case_lock", {"lock": EVENT_LOCK, "terminal": terminal_id})
        recorded = None
        if nonce is not None:
            terminal_id, value, window_s, key_id = nonce
            when = datetime.now(UTC)
            recorded = send("nonce", {"terminal_id": terminal_id, "nonce": value,
                                      "seen_at": when.isoformat(), "key_id": key_id})
            if random.random() < 0.01:  # a request outside the window is refused anyway
                send("old_nonces", {"before": (when - timedelta(seconds=3 * window_s)).isoformat()})
        inserted = []
        for (new, held), intake in zip(items, opening, strict=True):
            won = {"submission_id": new.id, "central_receipt": new.central_receipt}
            inserted.append(send("submission", {
                "id": new.id, "receipt_number": new.receipt_number,
                "terminal_id": new.terminal_id, "digest": new.digest,
                "central_receipt": new.central_receipt, "service_id": new.service_id,
                "form_id": new.form_id, "form_version": new.form_version,
                "envelope": new.envelope, "payload": new.payload_json,
                "received_at": new.received_at, "route": new.route}))
            for name, (digest, content) in sorted(new.attachments.items()):
                size = len(content) if content or digest not in held else len(held[digest])
                send("attachment", {**won, "name": name, "sha256": digest, "size_bytes": size,
                                    "content": content})
            for ref, content in held.items():
                segment, offset = placed.get(ref, (None, None))
                send("blob", {**won, "sha256": ref, "size_bytes": len(content),
                              "content": b"" if segment else content, "received_at": now,
                              "segment": segment, "offset_bytes": offset})
            if intake is not None:
                _send_case(send, won, intake)
        pipeline.sync()
        if recorded is not None and nonce is not None and recorded.rowcount != 1:
            refuse_changed(send("terminal", {"terminal_id": nonce[0]}).fetchone(), nonce[3])
            raise NonceReplayed(nonce[1])
        results: list = []
        for (new, _), cursor in zip(items, inserted, strict=True):
            if cursor.rowcount == 1:
                results.append((True, {column: getattr(new, column) for column in list_fields}))
                continue
            row = send("existing", {"id": new.id}).fetchone()
            results.append((False, dict(zip(list_fields, row, strict=True))) if row is not None
                           else ReceiptNumberTaken(new.receipt_number))
    return results


def _send_case(send: Callable, won: dict, intake: CaseIntake) -> None:
    """The rows ``CaseStore.file_in`` writes for a case opened by a new application."""
    filed = {**won, "received_at": intake.received_at}
    send("case", {**filed, "receipt_number": intake.receipt_number,
                  "service_id": intake.service_id, "site": intake.site,
                  "terminal_id": intake.terminal_id, "status": RECEIVED,
                  "person_hash": intake.person_hash, "token_hash": intake.token_hash,
                  "fallback_token_hash": intake.fallback_token_hash or intake.token_hash})
    send("case_submission", filed)
    send("case_event", {**filed, "actor": f"terminal:{intake.terminal_id}", "action": "receive",
                        "from_status": None, "status": RECEIVED, "note": ""})
