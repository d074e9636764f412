"""Operations of the maintenance mode: the queue and sync, the catalog, enrollment, log export,
restart, and the figures shown with them (queue, enrollment, catalog version, export targets,
the software release and its updates).

One of the maintenance service's three jobs (:mod:`kiosk.maintenance`); every method runs on the
service's ``maintenance`` thread. The sync service and the catalog are reached through the core's
public accessors (``KioskCore.sync``, ``KioskCore.reload_catalog``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import events as ev
from .maintenance_desk import MaintenanceDesk
from .maintenance_receipts import platform_statuses
from .restart_window import RESTART_EXIT_CODE

log = logging.getLogger(__name__)


class MaintenanceOperations:
    """Sync now, catalog refresh, enrollment, log export, restart; and the queue's figures."""

    def __init__(self, desk: MaintenanceDesk, *, export_dir: str, media_root: Path,
                 unprinted: Callable[[], list[dict[str, str]]], refresh_all: Callable[[], None]) -> None:
        """``unprinted()`` lists receipts owed (:mod:`kiosk.maintenance_receipts`);
        ``refresh_all()`` re-reads the whole view after an enrollment."""
        self._desk = desk
        self._export_dir = export_dir
        self._media_root = media_root
        self._unprinted = unprinted
        self._refresh_all = refresh_all
        self._catalog_pending = False
        desk.on_close(self._closed)

    def _closed(self) -> None:
        self._catalog_pending = False

    # ---- figures ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the queue, enrollment, catalog version and export targets into the view."""
        from .log_export import export_targets

        view = self._desk.view
        view["queue"] = self.queue()
        view["enrollment"] = self.enrollment()
        catalog = self._desk.core.catalog
        view["catalog"] = {"version": str(catalog.version) if catalog is not None else ""}
        view["export_targets"] = [str(p) for p in export_targets(self._export_dir, self._media_root)]
        view["software"] = self.software()

    def software(self) -> dict[str, Any]:
        """The release running, the one on trial, the update being downloaded (percent) and the
        last update's outcome (``kiosk.releases``); empty strings where there is none."""
        from .releases import Installation

        settings = self._desk.core.config.updates
        installation = Installation(Path(settings.install_dir), health_s=settings.health_s)
        try:
            summary, pending = installation.summary(), installation.pending()
        except OSError:
            summary, pending = {"last": {}}, None
        last = summary["last"]
        return {"release": summary.get("release") or "", "trial": summary.get("trial") or "",
                "pending": pending["version"] if pending else "",
                "percent": pending["done"] * 100 // max(pending["total"], 1) if pending else 0,
                "rolled_back": last.get("version", "") if last.get("outcome") == "rolled back"
                else "", "reason": last.get("reason", "")}

    def queue(self) -> dict[str, Any]:
        """Outbox figures, the sync pause, receipts owed and the platform statuses of recent
        receipts; nothing personal."""
        from egov_protocol.protocol import RATING_FORM_ID
        from offline_cache import Outbox, Store, SyncState

        core = self._desk.core
        path = Path(core.data_dir) / "kiosk.db"
        sync = core.sync
        paused = sync.paused_reason if sync is not None else None
        if not path.exists():
            return {"queued": 0, "sending": 0, "acked": 0, "quarantined": 0, "oldest_unsent": "",
                    "ratings_waiting": 0, "ratings_sent": 0,
                    "paused": paused or "", "paused_action": _action(paused), "unprinted": [],
                    "statuses": []}
        with Store(path) as store:
            # Applications and 好差评 ratings travel in the same queue but are not the same thing.
            counts = Outbox(store).counts(other_than=RATING_FORM_ID)
            ratings = Outbox(store).counts(form_id=RATING_FORM_ID)
            state = SyncState(store)
            oldest = state.oldest_unsent()
            paused = paused or state.paused_reason()
            statuses = platform_statuses(store)
        return {"queued": counts.get("queued", 0) + counts.get("sealed", 0),
                "sending": counts.get("sending", 0), "acked": counts.get("acked", 0),
                "quarantined": counts.get("quarantined", 0),
                "oldest_unsent": f"{oldest:%Y-%m-%d %H:%M} UTC" if oldest else "",
                "ratings_waiting": ratings["queued"] + ratings["sealed"] + ratings["sending"],
                "ratings_sent": ratings["acked"] + ratings["purged"],
                "paused": paused or "", "paused_action": _action(paused),
                # Receipts owed: stored, never printed (number, service, time; see maintenance_receipts).
                "unprinted": self._unprinted(),
                # Where recent receipts' cases stand on the platform (see maintenance_receipts).
                "statuses": statuses}

    def enrollment(self) -> dict[str, Any]:
        """Whether this terminal is enrolled, as whom and with which platform."""
        from .enrollment import Enrollment

        core = self._desk.core
        try:
            keys = Enrollment(Path(core.data_dir), core.config.central.platform_keys_file).platform_keys()
        except ValueError:
            return {"enrolled": False, "terminal_id": "", "central_url": ""}
        if keys is None:
            return {"enrolled": False, "terminal_id": "", "central_url": ""}
        return {"enrolled": True, "terminal_id": keys.terminal_id, "central_url": keys.central_url}

    # ---- actions ----------------------------------------------------------------------------
    def sync_now(self) -> None:
        """Forward the queue now (lifts a pause until the platform refuses again)."""
        desk = self._desk
        sync = desk.core.sync
        if sync is None or not sync.running:
            desk.result("sync_now", False, "not_enrolled")
        else:
            sync.sync_now()
            queue = self.queue()
            if queue["queued"] + queue["sending"]:
                # Settled by the worker's sync_completed / sync_failed / sync_paused event.
                desk.view["busy"]["sync_now"] = True
                desk.view["results"].pop("sync_now", None)
            else:  # the worker reports nothing when there is nothing to send
                desk.result("sync_now", True, "sync_nothing")
        desk.audit("sync_now")

    def refresh_catalog(self) -> None:
        """Pull the platform's catalog now and show the last good copy."""
        sync = self._desk.core.sync
        if sync is not None and sync.running:
            # The worker pulls the platform's documents on this pass; a newer catalog arrives as
            # a document_updated event and is loaded then.
            self._catalog_pending = True
            sync.sync_now()
        self._reload_catalog()
        self._desk.audit("catalog_refreshed")

    def _reload_catalog(self) -> None:
        # The catalog belongs to the journey thread, which never swaps it under a citizen.
        loaded = self._desk.core.reload_catalog()
        loaded.add_done_callback(lambda f: self._desk.post(lambda: self._catalog_loaded(f.result())))

    def _catalog_loaded(self, version: str) -> None:
        self._desk.view["catalog"] = {"version": version}
        self._desk.result("catalog", True, "catalog_ok", version)

    def enroll(self, token: str) -> None:
        """Enroll this terminal with a one-time token from the platform operators."""
        from .enrollment import Enrollment
        from .sync_service import enroll_terminal

        desk = self._desk
        config = desk.core.config
        try:
            keys = enroll_terminal(config.central.url, config.terminal.site_code, config.terminal.terminal_id,
                                   Enrollment(Path(desk.core.data_dir), config.central.platform_keys_file), token)
        except Exception as exc:
            desk.result("enroll", False, "enroll_failed", type(exc).__name__)
            desk.audit("enrolled", ok=False)
            return
        sync = desk.core.sync
        if sync is not None and not sync.running:
            sync.start()  # it did not start while the terminal was not enrolled
        desk.result("enroll", True, "enroll_ok", keys.terminal_id)
        desk.audit("enrolled", ok=True)
        self._refresh_all()

    def export(self, target: str) -> None:
        """Export logs, doctor output and the audit chain to ``target`` or the first USB medium."""
        from .log_export import export_logs, export_targets

        desk = self._desk
        targets = [Path(target)] if target else export_targets(self._export_dir, self._media_root)
        if not targets:
            desk.result("export", False, "no_usb")
            return
        desk.view["queue"] = self.queue()
        try:
            folder = export_logs(desk.core, targets[0], desk.view["queue"])
        except OSError as exc:
            desk.result("export", False, "export_failed", type(exc).__name__)
            desk.audit("logs_exported", ok=False)
            return
        desk.audit("logs_exported", ok=True)
        desk.result("export", True, "export_ok", str(folder))

    def restart(self) -> None:
        """Restart the kiosk: the same road as the nightly restart (the supervisor exits)."""
        desk = self._desk
        desk.audit("restarted")
        desk.close()
        desk.core.events.publish(ev.RESTART_DUE, exit_code=RESTART_EXIT_CODE, reason="staff")

    def sync_progressed(self, step: str, reason: str) -> None:
        """The sync worker reported ``step``: settle "sync now", load a newer catalog, show new
        platform statuses."""
        desk = self._desk
        if step == "document_updated":
            if self._catalog_pending:
                self._reload_catalog()
            return
        if step == "case_statuses_updated":  # after the pass's end: settles nothing
            if desk.member is not None:
                desk.view["queue"] = self.queue()
            return
        last = desk.view["results"].get("sync_now", {})
        settles = desk.view["busy"].pop("sync_now", None) or (
            last.get("code") == "sync_nothing" and step in ("sync_failed", "sync_paused"))
        if step != "submission_acked" and settles:
            ok = step == "sync_completed"
            desk.result("sync_now", ok, "sync_ok" if ok else "sync_failed", "" if ok else reason or step)
        if desk.member is not None:
            desk.view["queue"] = self.queue()


def _action(paused: str | None) -> str:
    """The code of what staff do about a pause (``kiosk.sync_pause``); "" when not paused."""
    from .sync_pause import pause_action

    return pause_action(paused).code if paused else ""
