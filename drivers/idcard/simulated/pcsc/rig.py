"""TEST AND DEMO ONLY: a complete PC/SC test rig — private pcscd + vpcd + our emulated passport.

Used by the test suite, ``bench/idread.py`` and training machines. Never on a terminal.
"""

from __future__ import annotations

import time
from typing import Any

from .document import TestPassport, make_passport
from .pcscd import READER_NAME, PrivatePcscd
from .vpcd import VirtualCard


class PassportRig:
    """``start()`` a private pcscd on ``port``; ``insert()``/``remove()`` the emulated passport."""

    reader_name = READER_NAME

    def __init__(self, port: int | None = None, **passport_options: Any) -> None:
        self.pcscd = PrivatePcscd(port)
        self.default: TestPassport = make_passport(**passport_options)
        self.passport = self.default
        self.card = VirtualCard(self.passport.card, self.pcscd.port)

    def start(self) -> PassportRig:
        """Start pcscd (and wait until its vpcd reader exists)."""
        self.pcscd.start()
        return self

    def restart_pcscd(self) -> None:
        """Kill and restart the daemon (the card connection dies with it)."""
        self.card.remove()
        self.pcscd.stop()
        self.pcscd.start()

    def insert(self, passport: TestPassport | None = None) -> None:
        """Put ``passport`` (default: the rig's own) on the reader."""
        self.passport = passport or self.default
        self.card.card = self.passport.card
        self.card.insert()
        time.sleep(0.05)  # vpcd notices the connection on its next poll

    def remove(self) -> None:
        """Take the passport off the reader."""
        self.card.remove()

    def stop(self) -> None:
        """Remove the card and stop pcscd."""
        self.card.remove()
        self.pcscd.stop()
