"""The terminal's services behind the journey: devices, the outbox writer and sync, started on
the journey thread once the catalog is loaded (and, at start-up, once the first frame is shown).

Their imports happen here, on the journey thread, to keep their libraries (OpenCV, sqlite-utils,
cryptography, httpx) off the GUI thread's path to the first frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .. import events as ev
    from ..audit import AuditLog
    from ..config import KioskConfig
    from ..fleet_status import FleetStatus
    from .runtime import JourneyRuntime


def start_services(config: KioskConfig, data_dir: Path, events: ev.EventHub, audit: AuditLog,
                   fleet: FleetStatus, runtime: JourneyRuntime) -> None:
    """Open the devices, start the outbox writer and the sync service and hand them to the
    runtime, then publish the screen (journey thread)."""
    from ..devices import DeviceManager
    from ..enrollment import Enrollment
    from ..receipts import report_unprinted
    from ..submission import SubmissionWriter
    from ..sync_service import SyncService

    devices = DeviceManager(config.devices, events, data_dir)
    devices.open_all()
    enrollment = Enrollment(data_dir, config.central.platform_keys_file)
    writer = SubmissionWriter(
        data_dir / "kiosk.db",
        enrollment,
        config.terminal.site_code,
        config.terminal.terminal_id,
        config.storage.min_free_mb * 1024 * 1024,
    )
    # Once the store is open: receipts owed since the last run (it died before printing).
    writer.start().add_done_callback(lambda _: report_unprinted(data_dir, audit))
    sync = SyncService(
        data_dir / "kiosk.db", enrollment, config.central, events,
        status=fleet.heartbeat_fields,
    )
    runtime.attach_services(devices, writer, sync)
    fleet.seed_devices(devices.statuses())
    fleet.on_alert = sync.heartbeat_now
    sync.start()
    runtime.publish()
