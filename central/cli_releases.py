"""``kiosk-central release init-keys|publish|rollout|refresh-timestamp|rotate-key|show`` and
``export-release``: terminal releases as a TUF repository (``central.releases``), from the
command line. Each action lands in the platform trail (``cli:<login name>``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .cli_operators import record
from .release_export import export_release
from .release_status import describe_rings
from .releases import (
    KEYS_ENV,
    TIMESTAMP_DAYS,
    ReleaseError,
    Rings,
    current_release,
    init_keys,
    publish_release,
    refresh_timestamp,
    repository_dir,
    rotate_key,
    set_rollout,
)
from .store import CentralStore

COMMANDS = ("release", "export-release")

EPILOG = """\
terminal releases (TUF):
  release init-keys --keys DIR [--root-keys N --threshold T] makes the root, targets, snapshot
  and timestamp keys (Ed25519, mode 0600) in DIR, a folder apart from the data folder (default
  $KIOSK_CENTRAL_RELEASE_KEYS), and the first root metadata; install
  DATA_DIR/updates/metadata/1.root.json on every terminal as its trusted root. Move the root
  keys offline after init (a new root needs T of the N). release publish BUILD --version V
  publishes a build folder (dist/kiosk), one target per file; release refresh-timestamp
  [--days D] re-signs the timestamp (default 1 day): run it from a timer well within that, or
  terminals refuse the repository as frozen. release show prints the current release.
  Rings: publish (or later: release rollout) with --pilot TERMINAL_ID, --site SITE (repeat
  each) and --percent P offers the release to those terminals only; release rollout --percent
  100 to everyone; release rollout --halt stops it reaching any terminal that does not run it
  yet. Without ring options a release goes to every terminal. release rotate-key --role R
  replaces the targets, snapshot or timestamp key: a new root signed by the root keys in --keys
  (at least the threshold: bring the offline ones back for it).
  export-release DIR copies the current release's metadata and files to DIR (a USB stick) for
  terminals without a link: kioskctl update apply --from DIR verifies it like the platform.
"""


def add_commands(command) -> None:
    """Register ``release`` with ``command(name, help)`` (see ``central.cli``)."""
    release = command("release", "terminal releases: init-keys, publish BUILD --version V, "
                                 "refresh-timestamp, show")
    release.add_argument("action", choices=("init-keys", "publish", "rollout", "refresh-timestamp",
                                            "rotate-key", "show"))
    release.add_argument("--role", choices=("targets", "snapshot", "timestamp"),
                         help="rotate-key: the role whose key to replace")
    release.add_argument("build", nargs="?", help="publish: the build folder (dist/kiosk)")
    release.add_argument("--version", help="publish: the release's version (e.g. 1.4.2)")
    release.add_argument("--keys", default=os.environ.get(KEYS_ENV),
                         help="the release keys folder (default $KIOSK_CENTRAL_RELEASE_KEYS)")
    release.add_argument("--root-keys", type=int, default=1, help="init-keys: root keys to make")
    release.add_argument("--threshold", type=int, default=1,
                         help="init-keys: root keys needed to sign a new root")
    release.add_argument("--pilot", action="append", default=[], metavar="TERMINAL_ID",
                         help="publish, rollout: offer it to this terminal (fleet id; repeat)")
    release.add_argument("--site", action="append", default=[], metavar="SITE",
                         help="publish, rollout: offer it to this site's terminals (repeat)")
    release.add_argument("--percent", type=float,
                         help="publish, rollout: offer it to this share of all terminals")
    release.add_argument("--halt", action="store_true",
                         help="rollout: offer it to no terminal that does not run it yet")
    release.add_argument("--days", type=float, default=TIMESTAMP_DAYS,
                         help="publish, refresh-timestamp: how long the timestamp is valid")
    export = command("export-release", "copy the current release (metadata and files) to DIR "
                                       "for a USB update")
    export.add_argument("out")


def _rings(args) -> Rings | None:
    """The rings the arguments name; None when they name none (every terminal)."""
    if not (args.pilot or args.site or args.percent is not None or args.halt):
        return None
    return Rings(tuple(args.pilot), tuple(args.site),
                 0.0 if args.percent is None else args.percent, args.halt)


def run(args, store: CentralStore) -> int:
    """Carry out ``release ACTION`` or ``export-release``; 0 on success, 1 on a refusal, 2 on
    a usage error."""
    if args.command == "export-release":
        try:
            count = export_release(args.data_dir, args.out)
        except FileNotFoundError:
            print("nothing published yet (release publish)", file=sys.stderr)
            return 1
        record(store, "exported release", f"{current_release(args.data_dir)} to {args.out}")
        print(f"wrote release {current_release(args.data_dir)} ({count} files) to {args.out}")
        return 0
    if args.action == "show":
        print(f"current release: {current_release(args.data_dir) or 'none published'}")
        return 0
    if not args.keys:
        print("give the release keys folder: --keys DIR (or $KIOSK_CENTRAL_RELEASE_KEYS)",
              file=sys.stderr)
        return 2
    try:
        if args.action == "init-keys":
            root = init_keys(args.keys, args.data_dir, root_keys=args.root_keys,
                             threshold=args.threshold)
            record(store, "made release keys", str(Path(args.keys).resolve()))
            print(f"keys in {args.keys}; trusted root for terminals: {root}")
        elif args.action == "publish":
            if not args.build or not args.version:
                print("release publish needs BUILD and --version", file=sys.stderr)
                return 2
            done = publish_release(args.data_dir, args.keys, args.build, args.version,
                                   timestamp_days=args.days, rings=_rings(args))
            record(store, "published release", done.version)
            print(f"published release {done.version}: {done.files} files, {done.bytes} bytes, "
                  f"{done.new_files} new; in {repository_dir(args.data_dir)}")
        elif args.action == "rotate-key":
            if not args.role:
                print("release rotate-key needs --role", file=sys.stderr)
                return 2
            version = rotate_key(args.data_dir, args.keys, args.role, timestamp_days=args.days)
            record(store, "rotated a release key", f"{args.role}, root version {version}")
            print(f"new {args.role} key; root version {version} names it (terminals follow it)")
        elif args.action == "rollout":
            rings = _rings(args) or Rings()
            release = set_rollout(args.data_dir, args.keys, rings, timestamp_days=args.days)
            record(store, "set release rollout", f"{release}: {describe_rings(rings)}")
            print(f"release {release} offered to {describe_rings(rings)}")
        else:
            expires = refresh_timestamp(args.data_dir, args.keys, days=args.days)
            print(f"timestamp valid until {expires:%Y-%m-%d %H:%M:%S} UTC")
    except ReleaseError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0
