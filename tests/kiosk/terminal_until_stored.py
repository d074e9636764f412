"""A terminal process for tests: it walks one citizen to a stored submission and then stops dead.

``python tests/kiosk/terminal_until_stored.py CONFIG.toml`` runs the real core (simulated devices,
the configured central platform), chooses the residence permit, reads the sample resident ID,
takes the photo, answers the form and confirms. When the submission is stored it prints
``stored <receipt number>`` and holds the journey thread right there, before the receipt is
printed, until the test kills the process.
"""

from __future__ import annotations

import sys
import threading

from conftest import RESIDENCE_ANSWERS, CoreDriver  # this folder's conftest (the script's own dir)

from kiosk import events as ev
from kiosk.config import load_config
from kiosk.core import KioskCore


def main(config_path: str) -> None:
    core = KioskCore(load_config(config_path))
    driver = CoreDriver(core)

    def hold_after_storing(event: ev.Event) -> None:
        # Raised on the journey thread after the store and before printing starts.
        if event.name == ev.SUBMISSION_QUEUED:
            print("stored", event.data["receipt_number"], flush=True)
            threading.Event().wait()

    core.events.subscribe(hold_after_storing)
    core.start()
    driver.wait_screen("attract")
    driver.wait_for(lambda s: s.get("devices"))
    driver.walk_to_form()
    for field, value in RESIDENCE_ANSWERS.items():
        core.set_field_value(field, value)
    core.complete_form()
    driver.wait_screen("review")
    core.confirm_submission(True)
    threading.Event().wait()  # until killed


if __name__ == "__main__":
    main(sys.argv[1])
