"""Entry point of the frozen bundle (kiosk.spec): ``ui/app.py`` uses package-relative imports,
so the bundle starts here and calls it as the ``kiosk`` console script does."""

import sys

from ui.app import main

if __name__ == "__main__":
    sys.exit(main())
