"""Entry point of the frozen bundle (kiosk.spec): ``ui/app.py`` uses package-relative imports,
so the bundle starts here and calls it as the ``kiosk`` console script does; ``kiosk
--update-guard`` runs the update guard instead (``kiosk.update_cli``), and ``kiosk ctl ARGS``
is ``kioskctl ARGS``."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["ctl"]:
        # `kiosk ctl ARGS` is `kioskctl ARGS`: the frozen build has one executable.
        from kiosk.cli import main as kioskctl

        sys.exit(kioskctl(sys.argv[2:]))
    if "--update-guard" in sys.argv[1:]:
        # The unit's ExecStartPre, from the last good version: no Qt needed (kiosk.releases).
        from kiosk.update_cli import guard_main

        sys.exit(guard_main(sys.argv[1:]))
    from ui.app import main

    sys.exit(main())
