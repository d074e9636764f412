"""Entry point of the frozen bundle (kiosk.spec): ``ui/app.py`` uses package-relative imports,
so the bundle starts here and calls it as the ``kiosk`` console script does; ``kiosk
--update-guard`` runs the update guard instead (``kiosk.update_cli``)."""

import sys

if __name__ == "__main__":
    if "--update-guard" in sys.argv[1:]:
        # The unit's ExecStartPre, from the last good version: no Qt needed (kiosk.releases).
        from kiosk.update_cli import guard_main

        sys.exit(guard_main(sys.argv[1:]))
    from ui.app import main

    sys.exit(main())
