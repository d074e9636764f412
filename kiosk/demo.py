"""``kiosk --demo``: the whole product on this machine, with nothing but simulated devices.

A reference central server runs in a subprocess on loopback, the terminal enrolls with it using a
one-time token the demo issues itself (as an operator would with ``kiosk-central issue-token``), and
the kiosk runs on the simulated reader, camera and printers that ship with the product. Data lives
in its own folder, apart from a real terminal's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sync.local_central import LocalCentral, free_port

from .config import KioskConfig
from .enrollment import Enrollment
from .sync_service import enroll_terminal, fleet_terminal_id

log = logging.getLogger(__name__)

DEMO_DATA_DIR = Path("~/.local/share/egov-kiosk-demo").expanduser()
DEMO_CENTRAL_PORT = 8700
#: The demo's maintenance PIN (docs/operations.md). Demo only: a real terminal has no staff until
#: ``kioskctl staff add`` provisions them.
DEMO_STAFF_ID = "demo"
DEMO_STAFF_PIN = "246810"


@dataclass
class Demo:
    """A running demo: the terminal's configuration and the local central server to stop later."""

    config: KioskConfig
    central: LocalCentral

    def stop(self) -> None:
        """Stop the central server."""
        self.central.stop()


def start_demo(base: KioskConfig | None = None, data_dir: Path = DEMO_DATA_DIR) -> Demo:
    """Start a local central server, enroll with it, and return the demo terminal's configuration.

    Blocks for about a second while the server starts: call it before the GUI is shown.
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    log_file = (data_dir / "central.log").open("ab")
    central = LocalCentral(data_dir / "central", free_port(DEMO_CENTRAL_PORT), log=log_file)
    try:
        central.start()
    finally:
        log_file.close()  # the child keeps its own descriptor
    config = (base or KioskConfig()).with_overrides(
        storage={"data_dir": str(data_dir / "terminal")},
        central={"url": central.url, "sync_interval_s": 10.0},
        ui={"demo_controls": True},
    )
    terminal_dir = config.storage.resolved_data_dir()
    terminal_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Enrolling again at every start is cheap and keeps a reused demo folder consistent.
    enroll_terminal(central.url, config.terminal.site_code, config.terminal.terminal_id,
                    Enrollment(terminal_dir, config.central.platform_keys_file),
                    central.issue_token(fleet_terminal_id(config.terminal.site_code,
                                                          config.terminal.terminal_id)))
    provision_demo_staff(terminal_dir)
    log.info("demo central server at %s (data in %s)", central.url, data_dir)
    print(f"egov-kiosk demo: central server at {central.url}/ — receipts in {terminal_dir / 'printed'}")
    print(f"egov-kiosk demo: maintenance mode: hold the start screen's top-right corner for 3 s, "
          f"PIN {DEMO_STAFF_PIN}")
    return Demo(config, central)


def provision_demo_staff(terminal_dir: Path) -> None:
    """Give the demo terminal one staff member with the documented PIN, so anyone can try the
    maintenance mode (hold the attract screen's top-right corner for 3 s)."""
    from .staff import StaffError, StaffStore

    try:
        StaffStore(terminal_dir).add(DEMO_STAFF_ID, "Demo staff 演示运维", DEMO_STAFF_PIN)
    except StaffError as exc:
        log.warning("demo staff member not provisioned: %s", exc)
