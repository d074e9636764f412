"""``kiosk-central seal …``, ``document revoke``, ``integration …``, ``handoff …`` and
``purge-expired``: the platform's seal, its issued documents, its hand-off to business systems
and the retention of case data, from the command line. Each action lands in the platform trail
(``cli:<login name>``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .at_rest import AtRestKeys
from .certificates import CertificateOffice
from .cli_operators import record
from .handoff import DEAD, HandoffOutbox
from .integrations import IntegrationError, IntegrationRegistry, add_integration
from .retention import Retention, retention_days
from .seal import DEMO_ORGANISATION, SealMissing, install_seal, load_seal, make_demo_seal, seal_dir
from .store import CentralStore
from .trail import PlatformTrail

COMMANDS = ("seal", "document", "integration", "handoff", "purge-expired")

EPILOG = """\
documents, hand-off and retention:
  seal init --demo makes a demo CA and the platform's seal certificate in DATA_DIR/seal (or
  $KIOSK_CENTRAL_SEAL_DIR); seal install --key K --cert C --chain CHAIN puts a real one there.
  Issued documents carry a QR code to PUBLIC_URL/verify/... (serve --public-url, or
  $KIOSK_CENTRAL_PUBLIC_URL). integration add ID --url URL [--service S] configures a business
  system and prints its shared secret once; handoff list|replay shows and resends dead letters.
  purge-expired purges the data of cases completed more than $KIOSK_CENTRAL_RETENTION_DAYS
  (default 180) days ago; run it daily.
"""


def add_commands(command) -> None:
    """Register the commands with ``command(name, help)`` (see ``central.cli``)."""
    seal = command("seal", "the platform's seal: init --demo, install, or show")
    seal.add_argument("action", choices=("init", "install", "show"))
    seal.add_argument("--demo", action="store_true", help="init: a demo CA and seal (never "
                      "for real documents)")
    seal.add_argument("--organisation", default=DEMO_ORGANISATION)
    seal.add_argument("--key", help="install: the seal's private key (PEM)")
    seal.add_argument("--cert", help="install: the seal's certificate (PEM)")
    seal.add_argument("--chain", help="install: the issuing CA certificates (PEM)")
    document = command("document", "issued documents: revoke DOCUMENT_ID --reason TEXT")
    document.add_argument("action", choices=("revoke",))
    document.add_argument("document_id")
    document.add_argument("--reason", required=True)
    integration = command("integration", "business systems: add ID --url URL, or list")
    integration.add_argument("action", choices=("add", "list"))
    integration.add_argument("id", nargs="?")
    integration.add_argument("--url")
    integration.add_argument("--service", action="append",
                             help="a service whose cases it takes (repeat; default: all)")
    handoff = command("handoff", "the hand-off outbox: list [--state S], or replay EVENT_ID")
    handoff.add_argument("action", choices=("list", "replay"))
    handoff.add_argument("event_id", nargs="?")
    handoff.add_argument("--state", default=DEAD, choices=("pending", "delivered", "dead"))
    purge = command("purge-expired", "purge the data of cases whose retention period ran out")
    purge.add_argument("--retention-days", type=float, default=None,
                       help="days after completion (default $KIOSK_CENTRAL_RETENTION_DAYS or "
                            "180)")


def _seal(args, store: CentralStore) -> int:
    folder = seal_dir(args.data_dir)
    if args.action == "init":
        if not args.demo:
            print("seal init makes a demo seal only: add --demo (a real seal: seal install)",
                  file=sys.stderr)
            return 2
        make_demo_seal(folder, args.organisation)
        record(store, "made a demo seal", str(folder))
    elif args.action == "install":
        if not (args.key and args.cert and args.chain):
            print("seal install needs --key, --cert and --chain", file=sys.stderr)
            return 2
        try:
            install_seal(folder, args.key, args.cert, args.chain)
        except (OSError, ValueError) as exc:
            print(f"not installed: {exc}", file=sys.stderr)
            return 1
        record(store, "installed a seal", str(folder))
    try:
        seal = load_seal(folder)
    except SealMissing as exc:
        print(str(exc), file=sys.stderr)
        return 1
    cert = seal.certificate
    print(f"seal in {folder}: {cert.subject.rfc4514_string()}\n  issued by "
          f"{cert.issuer.rfc4514_string()}\n  valid {cert.not_valid_before_utc:%Y-%m-%d} to "
          f"{cert.not_valid_after_utc:%Y-%m-%d}; SHA-256 {seal.fingerprint}")
    return 0


def _document(args, store: CentralStore) -> int:
    office = CertificateOffice(store.db, seal_dir(args.data_dir),
                               AtRestKeys.load_or_create(Path(args.data_dir) / "keys"), "")
    if not office.revoke(args.document_id, args.reason):
        print(f"{args.document_id}: no such valid document", file=sys.stderr)
        return 1
    record(store, "revoked document", args.document_id)
    print(f"{args.document_id}: revoked")
    return 0


def _integration(args, store: CentralStore) -> int:
    if args.action == "list":
        for item in IntegrationRegistry(args.data_dir).all().values():
            print(f"{item.id}\t{item.url}\t{','.join(item.services)}")
        return 0
    if not args.id or not args.url:
        print("integration add needs an ID and --url", file=sys.stderr)
        return 2
    try:
        added = add_integration(args.data_dir, args.id, args.url, args.service)
    except IntegrationError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    record(store, "added integration", added.id)
    print(f"integration {added.id} -> {added.url}. Give its shared secret to the business "
          f"system once, privately (hex):\n{added.secret.hex()}")
    return 0


def _outbox(args, store: CentralStore) -> HandoffOutbox:
    return HandoffOutbox(store.db, AtRestKeys.load_or_create(Path(args.data_dir) / "keys"),
                         IntegrationRegistry(args.data_dir))


def _handoff(args, store: CentralStore) -> int:
    outbox = _outbox(args, store)
    if args.action == "list":
        record(store, "viewed hand-off events", args.state)
        for event in outbox.events(args.state):
            print(f"{event['event_id']}\t{event['integration']}\t{event['receipt_number']}\t"
                  f"{event['attempts']}\t{event['last_error'] or ''}")
        return 0
    if not args.event_id or not outbox.replay(args.event_id):
        print(f"{args.event_id}: no such dead letter", file=sys.stderr)
        return 1
    record(store, "replayed hand-off event", args.event_id)
    print(f"{args.event_id}: pending again")
    return 0


def _purge(args, store: CentralStore) -> int:
    retention = Retention(store.db, PlatformTrail(store.db),
                          days=retention_days(args.retention_days))
    purged = retention.purge_expired()
    print(f"purged the data of {len(purged)} case(s) completed more than "
          f"{retention.days:g} days ago")
    return 0


HANDLERS = {"seal": _seal, "document": _document, "integration": _integration,
            "handoff": _handoff, "purge-expired": _purge}


def run(args, store: CentralStore) -> int:
    """Run one of ``COMMANDS``."""
    return HANDLERS[args.command](args, store)
