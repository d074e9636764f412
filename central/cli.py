"""The ``kiosk-central`` command line: serve, issue-token, revoke, reinstate, publish, export,
import, rotate-keys, collect-blobs, operator, audit (``central.cli_operators``), seal, document,
integration, handoff, purge-expired (``central.cli_documents``), release, export-release
(``central.cli_releases``).

``kiosk-central [serve] --data-dir D [--database-url URL] [--workers N]`` runs the platform;
the other commands work on the same data folder and database, with or without the server running.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import sys
import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from egov_protocol.documents import KINDS, sign_document
from egov_protocol.envelope import EnvelopeError, envelope_key_id, open_sealed
from egov_protocol.keys import PlatformKeys, platform_fingerprint

from . import cli_documents, cli_releases
from .accept import Refusal, accept
from .blob_gc import MIN_AGE_S, collect_segments
from .cases_intake import CaseIntakeDesk
from .cli_operators import add_commands, operator_listen, record, run_audit, run_operator
from .files import private_dir, safe_attachment_name
from .keyring import GRACE_ENV, PlatformKeyring, grace_days, rotate_sealing_key
from .publishing import DEFAULT_VALID_DAYS, NotPublishable, parse_document, publish
from .seal import seal_dir
from .store import CentralStore, open_platform_store

_COMMANDS = ("serve", "issue-token", "revoke", "reinstate", "publish", "export", "import",
             "rotate-keys", "collect-blobs", "operator", "audit", *cli_documents.COMMANDS,
             *cli_releases.COMMANDS)

_EPILOG = """\
operators:
  kiosk-central operator add NAME --role admin|fleet-operator|case-worker|auditor prints a
  one-time password (the first login asks for a new one) and a TOTP enrolment (an otpauth://
  URI for an authenticator app), once. operator disable NAME: no login, its sessions end now;
  operator enable NAME undoes it.
  The operator pages and API (/, /v1/terminals, /v1/submissions, /v1/ratings, /v1/tokens,
  /v1/published, /docs, /openapi.json) need a login with name, password and code; sessions end
  after 15 minutes idle or 12 hours. serve --operator-listen HOST:PORT serves them on that
  address only, apart from the terminal API. Behind a TLS proxy, the session cookie is Secure
  (the proxy must pass X-Forwarded-Proto; see docs/operations.md). Every operator action and
  every view of submissions is in the platform trail: audit verify (exit 3 if broken), audit list.

keys and re-keying:
  The platform's keys live in DATA_DIR/keys (mode 0600, folder 0700). rotate-keys replaces the
  sealing key that terminals encrypt to and keeps the old one, retired, with its retirement time
  (platform-x25519.retired-<UTC time>.pem); a running server picks the new key up by itself and
  terminals learn it at their next sync (the signed platform-keys document). A terminal re-keyed
  with `kioskctl rekey` keeps its previous key on record, retired. Envelopes sealed to a retired
  platform key or signed with a terminal's retired key are accepted, online and by import, for
  --key-grace-days (default 30, or $KIOSK_CENTRAL_KEY_GRACE_DAYS) after the retirement; later
  they are refused with a reason naming the key and its date. Retired sealing keys are kept after
  the grace period: export needs them for what was stored under them.
  The signing key (platform-ed25519.pem) is the terminals' pinned trust anchor and is not rotated.

""" + cli_documents.EPILOG + "\n" + cli_releases.EPILOG


def _store(args) -> CentralStore:
    private_dir(args.data_dir)
    return open_platform_store(args.data_dir, args.database_url)


def _serve(args) -> int:
    import uvicorn

    from .app import OPERATOR_APART_ENV, PUBLIC_URL_ENV

    os.environ["KIOSK_CENTRAL_DATA_DIR"] = str(Path(args.data_dir).resolve())
    os.environ["KIOSK_CENTRAL_DATABASE_URL"] = args.database_url or ""
    os.environ[GRACE_ENV] = str(args.key_grace_days)
    os.environ[OPERATOR_APART_ENV] = "1" if args.operator_listen else ""
    if args.public_url:
        os.environ[PUBLIC_URL_ENV] = args.public_url
    store = _store(args)  # create the schema once, before the workers race for it
    collect_segments(store)  # what an interrupted write left behind
    store.close()  # the workers open their own
    PlatformKeys.load_or_create(Path(args.data_dir) / "keys")
    if not (seal_dir(args.data_dir) / "seal-key.pem").exists():
        print(f"no seal in {seal_dir(args.data_dir)}: the platform cannot issue documents "
              "(kiosk-central seal init --demo, or seal install)", file=sys.stderr)
    if args.operator_listen:
        # The operator side, apart: its own server on its own address, in this process.
        host, port = args.operator_listen
        server = uvicorn.Server(uvicorn.Config("central.app:operator_app_from_env", factory=True,
                                               host=host, port=port, log_level=args.log_level))
        threading.Thread(target=server.run, name="operator-server", daemon=True).start()
    uvicorn.run("central.app:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_level=args.log_level)
    return 0


def _issue_token(args) -> int:
    store = _store(args)
    token = store.issue_token(args.terminal_id, args.ttl_hours * 3600)
    record(store, "issued enrollment token", args.terminal_id or "any terminal")
    fingerprint = platform_fingerprint(
        PlatformKeys.load_or_create(Path(args.data_dir) / "keys").ed25519_public)
    # The token stays alone on the last line (scripts read it there).
    print(f"platform key {fingerprint}\n(pin it: kioskctl enroll --token TOKEN --platform-key "
          f"{fingerprint})")
    print(token)
    return 0


def _set_status(args, status: str, action: str, outcome: str) -> int:
    store = _store(args)
    ok = store.set_terminal_status(args.terminal_id, status)
    if ok:
        record(store, action, args.terminal_id)
    print(f"{args.terminal_id}: {outcome if ok else 'unknown terminal'}")
    return 0 if ok else 1


def _revoke(args) -> int:
    return _set_status(args, "revoked", "revoked terminal", "revoked")


def _reinstate(args) -> int:
    return _set_status(args, "active", "reinstated terminal", "active again")


def _collect_blobs(args) -> int:
    removed = collect_segments(_store(args), args.min_age_s)
    print(f"removed {len(removed)} unreferenced blob segment(s)")
    return 0


def _publish(args) -> int:
    try:
        publication = publish(Path(args.data_dir) / "published", args.kind,
                              parse_document(Path(args.file).read_text(encoding="utf-8")),
                              args.valid_days)
    except NotPublishable as exc:
        print(str(exc), file=sys.stderr)
        return 1
    record(_store(args), "published document", f"{args.kind} version {publication.version}")
    print(f"published {args.kind} version {publication.version}, expires "
          f"{publication.expiry}")
    return 0


def _export(args) -> int:
    """Decrypt every envelope with the platform key into OUT/<id>/payload.json + attachments."""
    store = _store(args)
    sealing_keys = PlatformKeyring(Path(args.data_dir) / "keys").all_sealing_keys()
    out = private_dir(args.out)  # decrypted payloads: for the service's user only
    count = failed = skipped = 0
    for row in store.envelopes():
        folder = out / row["id"]
        if folder.exists():
            continue
        try:
            key = store.signer_key(row["terminal_id"], envelope_key_id(row["envelope"]))
            if key is None:
                raise EnvelopeError("the signing key is not known")
            verify = Ed25519PublicKey.from_public_bytes(bytes(key))
            payload, attachments = open_sealed(row["envelope"], sealing_keys, verify,
                                               store.blob)
        except EnvelopeError as exc:
            print(f"{row['id']}: not exported: {exc}", file=sys.stderr)
            failed += 1
            continue
        partial = out / f".{row['id']}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        (partial / "attachments").mkdir(parents=True)
        (partial / "payload.json").write_bytes(payload)
        for name, data in attachments.items():
            safe = safe_attachment_name(name)
            if safe is None:  # a name that could leave its folder: never a path
                print(f"{row['id']}: attachment {name!r} skipped: not a safe file name",
                      file=sys.stderr)
                skipped += 1
                continue
            (partial / "attachments" / safe).write_bytes(data)
        meta = {k: row[k] for k in ("id", "receipt_number", "terminal_id", "digest",
                                    "central_receipt", "received_at")}
        (partial / "receipt.json").write_text(json.dumps(meta, indent=2))
        partial.replace(folder)
        count += 1
    record(store, "exported submissions", f"{count} to {out}")
    print(f"exported {count} new submission(s) to {out}; {failed} could not be opened; "
          f"{skipped} attachment(s) skipped for unsafe names")
    return 0 if not failed and not skipped else 1


def _import(args) -> int:
    """Replay envelopes a terminal exported (``kioskctl export-outbox``) through the same path,
    and write the acknowledgements back into the folder for the terminal."""
    store = _store(args)
    keys = PlatformKeyring(Path(args.data_dir) / "keys", args.key_grace_days)
    cases = CaseIntakeDesk(store.db, keys.directory)  # imported applications are cases too
    folder = Path(args.folder)
    acks, failed = [], 0
    for path in sorted(folder.glob("outbox-*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        terminal = store.terminal(item.get("terminal_id", ""))
        if terminal is None:
            print(f"{path.name}: unknown terminal", file=sys.stderr)
            failed += 1
            continue
        try:
            _, receipt = accept(
                store, keys, terminal, item["id"], item["receipt_number"], item["digest"],
                base64.b64decode(item["envelope_b64"], validate=True),
                {r: base64.b64decode(d, validate=True) for r, d in item["blobs"].items()},
                route="import", cases=cases)
        except (Refusal, EnvelopeError, KeyError, ValueError) as exc:
            print(f"{path.name}: refused: {exc}", file=sys.stderr)
            failed += 1
            continue
        acks.append(receipt)
    signed = sign_document("acks", {"acks": acks}, keys.signing_key)
    (folder / "acks.json").write_text(json.dumps(signed, indent=2))
    print(f"imported {len(acks)} submission(s), {failed} refused; acknowledgements in "
          f"{folder / 'acks.json'}")
    return 0 if not failed else 1


def _rotate_keys(args) -> int:
    """Retire the sealing key and make a new one (see the epilog)."""
    PlatformKeyring(Path(args.data_dir) / "keys")  # every key file readable and private first
    old, new, when = rotate_sealing_key(Path(args.data_dir) / "keys")
    record(_store(args), "rotated the sealing key", f"{old} -> {new}")
    print(f"sealing key {new} is current; {old} retired at {when:%Y-%m-%d %H:%M:%S} UTC and "
          f"accepted for the grace period ({grace_days():g} days unless the server is given "
          "--key-grace-days). Terminals pick up the new key at their next sync.")
    return 0


def _grace(text: str) -> float:
    try:
        return grace_days(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run one command (default ``serve``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*_COMMANDS, "-h", "--help"):
        argv.insert(0, "serve")
    parser = argparse.ArgumentParser(prog="kiosk-central",
                                     description="Reference central platform for egov-kiosk.",
                                     epilog=_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help, epilog=_EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        sub.add_argument("--data-dir", default="kiosk-central-data", help="keys and SQLite folder")
        sub.add_argument("--database-url", default=os.environ.get("KIOSK_CENTRAL_DATABASE_URL"),
                         help="postgresql://... (default: SQLite in the data folder)")
        return sub

    serve = command("serve", "run the platform (default command)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--operator-listen", type=operator_listen, metavar="HOST:PORT",
                       help="serve the operator pages and API on this address only, apart from "
                            "the terminal API (default: both on --host/--port)")
    serve.add_argument("--public-url", help="the address citizens reach the platform at, for "
                       "the verification QR codes of issued documents (default "
                       "$KIOSK_CENTRAL_PUBLIC_URL or http://127.0.0.1:8700)")
    token = command("issue-token", "print a one-time enrollment token")
    token.add_argument("--terminal-id", help="bind the token to this terminal id (needed to "
                       "re-key an enrolled terminal)")
    token.add_argument("--ttl-hours", type=float, default=168.0)
    revoke = command("revoke", "revoke a terminal (its requests get 403)")
    revoke.add_argument("terminal_id")
    collect = command("collect-blobs", "delete blob segments nothing references (also at start)")
    collect.add_argument("--min-age-s", type=float, default=MIN_AGE_S,
                         help="keep younger segments: they may belong to a write under way")
    reinstate = command("reinstate", "lift a terminal's revocation (enrolling never does)")
    reinstate.add_argument("terminal_id")
    publish = command("publish", "publish a catalog, forms or settings JSON document")
    publish.add_argument("kind", choices=KINDS)
    publish.add_argument("file")
    publish.add_argument("--valid-days", type=float, default=DEFAULT_VALID_DAYS,
                         help="days terminals accept this version; publish again before then")
    export = command("export", "decrypt submissions into JSON and files for the downstream platform")
    export.add_argument("out")
    replay = command("import", "replay a terminal's exported outbox folder")
    replay.add_argument("folder")
    for sub in (serve, replay):
        sub.add_argument("--key-grace-days", type=_grace, default=grace_days(),
                         help="days after their retirement that envelopes sealed or signed under "
                              "a retired key are still accepted (default 30, or "
                              "$KIOSK_CENTRAL_KEY_GRACE_DAYS)")
    command("rotate-keys", "retire the platform's sealing key and make a new one (terminals "
                           "pick it up at their next sync)")
    add_commands(command)
    cli_documents.add_commands(command)
    cli_releases.add_commands(command)
    args = parser.parse_args(argv)
    handlers = {"serve": _serve, "issue-token": _issue_token, "revoke": _revoke,
                "reinstate": _reinstate, "collect-blobs": _collect_blobs,
                "publish": _publish, "export": _export, "import": _import,
                "rotate-keys": _rotate_keys,
                "operator": lambda a: run_operator(a, _store(a)),
                "audit": lambda a: run_audit(a, _store(a)),
                **{name: lambda a: cli_documents.run(a, _store(a))
                   for name in cli_documents.COMMANDS},
                **{name: lambda a: cli_releases.run(a, _store(a))
                   for name in cli_releases.COMMANDS}}
    return handlers[args.command](args)
