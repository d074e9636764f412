"""``python -m central``: the same as the ``kiosk-central`` console script."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
