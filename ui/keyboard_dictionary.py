"""The virtual keyboard's learned words never outlive a citizen's session.

Qt Virtual Keyboard's Pinyin input method learns the phrases a citizen composes into a user
dictionary, ``qtvirtualkeyboard/pinyin/usr_dict.dat`` under Qt's writable configuration location
(``~/.config`` of the kiosk user), and suggests them to whoever types the same Pinyin next. It
keeps that dictionary closed while the focused field carries ``Qt.ImhSensitiveData`` (it does
not look at ``ImhNoPredictiveText``), so every text field of the kiosk carries it (FormField.qml,
AddressPicker.qml, the passport key fields): nothing a citizen types is learned. As a second
line, the file is emptied when the application starts and at every wipe, so even words learned
by some other field, or by an older version, reach no later citizen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths

from kiosk.events import SESSION_WIPED

log = logging.getLogger(__name__)

#: Where Qt Virtual Keyboard's Pinyin keeps its user dictionary, below the writable config location.
PINYIN_USER_DICTIONARY = Path("qtvirtualkeyboard", "pinyin", "usr_dict.dat")


def pinyin_user_dictionary() -> Path:
    """The user dictionary file the Pinyin input method of this process uses."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.ConfigLocation)
    return Path(base) / PINYIN_USER_DICTIONARY


class KeyboardDictionaryReset:
    """Deletes the keyboard's user dictionary now and on every ``session_wiped`` event."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or pinyin_user_dictionary()

    def reset(self) -> None:
        """Empty the dictionary file (any thread).

        Emptied rather than deleted: the Pinyin decoder replaces an empty file with a fresh,
        empty dictionary when it next opens it, and without a file it warns on every start.
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(self.path, "wb") as emptied:
                emptied.flush()
        except OSError as exc:
            log.warning("keyboard user dictionary not reset: %s", type(exc).__name__)

    def on_event(self, event: Any) -> None:
        """A core event (publishing thread): reset after every wipe."""
        if event.name == SESSION_WIPED:
            self.reset()


def install(core: Any) -> Callable[[], None]:
    """Reset now and after every wipe of ``core``'s sessions; returns the unsubscribe function."""
    resetter = KeyboardDictionaryReset()
    resetter.reset()
    return core.events.subscribe(resetter.on_event)
