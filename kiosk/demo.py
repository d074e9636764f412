"""``kiosk --demo``: the whole product on this machine, with nothing but simulated devices.

A reference central server runs in a subprocess on loopback, the terminal enrolls with it using a
one-time token the demo issues itself (as an operator would with ``kiosk-central issue-token``), and
the kiosk runs on the simulated reader, camera, printers and code scanner that ship with the
product. The 网证 verification simulator runs beside the platform, and the identify screen offers
网证 against it (with demo buttons that show its test codes). Data lives in its own folder, apart
from a real terminal's.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sync.local_central import LocalCentral, LocalNetIdService, free_port

from .config import KioskConfig
from .enrollment import Enrollment
from .sync_service import enroll_terminal, fleet_terminal_id

log = logging.getLogger(__name__)

DEMO_DATA_DIR = Path("~/.local/share/egov-kiosk-demo").expanduser()
#: Written at every demo start: how ``kioskctl --demo`` finds the demo's terminal.
DEMO_STATE_FILE = "demo.json"
DEMO_CENTRAL_PORT = 8700
DEMO_NETID_PORT = 8765
#: The demo's maintenance PIN (docs/operations.md). Demo only: a real terminal has no staff until
#: ``kioskctl staff add`` provisions them.
DEMO_STAFF_ID = "demo"
DEMO_STAFF_PIN = "246810"


@dataclass
class Demo:
    """A running demo: the terminal's configuration and the local central server to stop later."""

    config: KioskConfig
    central: LocalCentral
    netid: LocalNetIdService | None = None

    def stop(self) -> None:
        """Stop the central server and the 网证 simulator."""
        self.central.stop()
        if self.netid is not None:
            self.netid.stop()


def start_demo(base: KioskConfig | None = None, data_dir: Path = DEMO_DATA_DIR,
               central_port: int = DEMO_CENTRAL_PORT, config_path: str | None = None) -> Demo:
    """Start a local central server, enroll with it, and return the demo terminal's configuration.

    ``central_port`` is preferred when free (0: any free port; tests use that, so that two runs
    on one machine never race for the same port and enroll with the other's platform).
    ``base`` is the configuration the demo starts from, read from ``config_path`` if given (it
    is noted in the data folder, so ``kioskctl --demo`` sees the same terminal).

    Blocks for about a second while the server starts: call it before the GUI is shown.
    """
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    log_file = (data_dir / "central.log").open("ab")
    port = free_port(central_port)
    # The receipt's QR code and the certificates' verification codes lead to this address.
    central = LocalCentral(data_dir / "central", port, log=log_file,
                           serve_args=("--public-url", f"http://127.0.0.1:{port}"))
    try:
        central.ensure_demo_seal()
        central.start()
    finally:
        log_file.close()  # the child keeps its own descriptor
    netid = LocalNetIdService(free_port(DEMO_NETID_PORT if central_port else 0))
    try:
        netid.start()
    except RuntimeError:
        central.stop()
        raise
    config = demo_terminal_config(base or KioskConfig(), data_dir, central.url, netid.url)
    terminal_dir = config.storage.resolved_data_dir()
    terminal_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Enrolling again at every start is cheap and keeps a reused demo folder consistent.
    enroll_terminal(central.url, config.terminal.site_code, config.terminal.terminal_id,
                    Enrollment(terminal_dir, config.central.platform_keys_file),
                    central.issue_token(fleet_terminal_id(config.terminal.site_code,
                                                          config.terminal.terminal_id)))
    provision_demo_staff(terminal_dir)
    state = {"central_url": central.url, "netid_url": netid.url,
             "config": str(Path(config_path).resolve()) if config_path else None, "pid": os.getpid()}
    (data_dir / DEMO_STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")
    log.info("demo central server at %s (data in %s)", central.url, data_dir)
    print(f"egov-kiosk demo: central server at {central.url}/ — receipts in {terminal_dir / 'printed'}")
    print(f"egov-kiosk demo: 网证 simulator at {netid.url} (identify screen: the 网证 demo buttons)")
    print(f"egov-kiosk demo: operator pages need an account: .venv/bin/kiosk-central operator add NAME "
          f"--role admin --data-dir {central.data_dir}")
    print(f"egov-kiosk demo: maintenance mode: hold the start screen's top-right corner for 3 s, "
          f"PIN {DEMO_STAFF_PIN}")
    print("egov-kiosk demo: staff tools on this terminal: .venv/bin/kioskctl --demo queue "
          "(or doctor, audit list, sync, reprint --list, ...)")
    return Demo(config, central, netid)


def demo_terminal_config(base: KioskConfig, data_dir: Path, central_url: str, netid_url: str = "") -> KioskConfig:
    """The demo terminal's configuration: ``base`` with the demo's data folder, central server
    and 网证 simulator (unless ``base`` names a 网证 service of its own)."""
    return base.with_overrides(
        storage={"data_dir": str(data_dir / "terminal")},
        central={"url": central_url, "sync_interval_s": 10.0},
        ui={"demo_controls": True},
        netid={"url": base.netid.url or netid_url},
    )


def running_demo_config(data_dir: Path = DEMO_DATA_DIR) -> KioskConfig:
    """The configuration of the demo last started in ``data_dir``, for ``kioskctl --demo``.

    Raises :class:`FileNotFoundError` when no demo was ever started there.
    """
    from .config import load_config

    state = json.loads((data_dir / DEMO_STATE_FILE).read_text())
    base = load_config(state["config"]) if state.get("config") else KioskConfig()
    return demo_terminal_config(base, data_dir, state["central_url"], state.get("netid_url", ""))


def provision_demo_staff(terminal_dir: Path) -> None:
    """Give the demo terminal one staff member with the documented PIN, so anyone can try the
    maintenance mode (hold the attract screen's top-right corner for 3 s)."""
    from .staff import StaffError, StaffStore

    try:
        StaffStore(terminal_dir).add(DEMO_STAFF_ID, "Demo staff 演示运维", DEMO_STAFF_PIN)
    except StaffError as exc:
        log.warning("demo staff member not provisioned: %s", exc)
