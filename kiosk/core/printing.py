"""The print step of the journey: the receipt, its fallback, the A4 form, and reprint memory.

Everything here runs on the core's journey thread, except the printing itself, which runs on each
printer's owner thread; results come back to the journey thread through the port's ``post``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from drivers.common import DeviceError

from .. import events as ev
from ..safe_log import log_exception
from .journey import JourneyState

if TYPE_CHECKING:
    from drivers.printer import DocumentPrinter

    from ..submission import Accepted
    from .port import StepContext

log = logging.getLogger(__name__)


class PrintStep:
    """Prints for the citizen at the terminal and keeps what staff need for reprints.

    A printer that cannot print never leaves the citizen stuck: the done screen shows the receipt
    number with a QR code to the progress page, and staff are alerted.
    """

    def __init__(self, ctx: StepContext) -> None:
        """``ctx`` gives the journey, the printers and the hand-offs (any thread)."""
        self._ctx = ctx
        #: ``renderer(printable, meta) -> PDF bytes``, registered by the UI (see
        #: :meth:`~kiosk.core.KioskCore.set_document_renderer`); ``None`` turns A4 printing off.
        self.document_renderer: Callable[[dict[str, Any], dict[str, Any]], bytes] | None = None
        self._form_jobs: list[str] = []

    def receipt_factory(self) -> Callable[[str, Any, str], Any]:
        """``receipt(receipt_number, accepted_at, progress_token)`` for the citizen at the terminal (journey
        thread); the outbox writer calls it once the number is allocated (see ``Draft.receipt``)."""
        # Imported on first use: the receipt module brings the printer package (fonts, PIL),
        # which the attract screen -- the first frame -- does not need.
        from ..receipts import build_receipt

        session = self._ctx.journey.session
        service, config = session.service, self._ctx.config
        language = self._ctx.language   # the receipt speaks the citizen's language
        fields = dict(
            language=language,
            service_title=service.title.text(language),
            hall_name=config.terminal.hall_name,
            terminal_id=config.terminal.terminal_id,
            applicant_name=session.identity.name,
            processing_time=service.notice.processing_time.text(language),
            collect=service.notice.collection.text(language),
            lookup_url=config.progress_address(),
            hotline=config.receipt.hotline,
        )

        def receipt(receipt_number: str, accepted_at: Any, progress_token: str = "") -> Any:
            return build_receipt(receipt_number=receipt_number, accepted_at=accepted_at.astimezone(),
                                 progress_token=progress_token, **fields)
        return receipt

    def start(self, accepted: Accepted) -> None:
        """Print the receipt (and the A4 form where the service needs one) for ``accepted``."""
        receipt = accepted.receipt
        if receipt is None:
            receipt = self.receipt_factory()(accepted.receipt_number, accepted.accepted_at,
                                             accepted.progress_token)
        # The driver's print_receipt is the preflight too: it queries the printer's status first
        # and refuses (never queues) when it cannot print now.
        devices = self._ctx.devices

        def job(printer: Any) -> Any:
            try:
                return printer.print_receipt(receipt)
            finally:  # paper low, cover open: staff and the fleet page see the state after a job
                devices.refresh(devices["receipt_printer"])

        future = devices["receipt_printer"].submit(job)
        future.add_done_callback(lambda f: self._ctx.post(lambda: self._on_printed(f, receipt)))
        self._print_form(accepted)

    def _on_printed(self, future: Future[Any], receipt: Any) -> None:
        from ..receipts import RecentReceipts, fallback_view

        receipt_number = receipt.receipt_number
        try:
            future.result()
            printed, action = True, None
        except DeviceError as exc:
            printed, action = False, exc.action.value
            log.warning("receipt %s not printed: %s (%s)", receipt_number, type(exc).__name__, exc.action)
        except Exception:
            printed, action = False, "software"
            log_exception(log, "receipt %s not printed", receipt_number)
        try:  # kept without the applicant's name, for a staff reprint (kioskctl reprint)
            RecentReceipts(self._ctx.data_dir / "receipts" / "recent.json").add(receipt, printed)
        except OSError:
            log.warning("could not remember receipt %s for reprints", receipt_number)
        ctx = self._ctx
        journey = ctx.journey
        if journey.state is not JourneyState.PRINTING or journey.session.receipt_number != receipt_number:
            return
        if printed:
            journey.receipt_printed()
            ctx.events.publish(ev.RECEIPT_PRINTED, receipt_number=receipt_number)
        else:
            journey.receipt_print_failed("printer_unavailable")
            # The fallback: the receipt's progress address as a QR code on screen, and staff told.
            journey.session.extras["receipt_fallback"] = fallback_view(receipt)
            ctx.events.publish(ev.RECEIPT_PRINT_FAILED, receipt_number=receipt_number, action=action)
            ctx.events.publish(ev.STAFF_CALLED, terminal_id=ctx.config.terminal.terminal_id,
                               screen="printing", reason="receipt_printer", action=action)
        ctx.receipt_settled()  # the done screen: take the document back
        ctx.publish()

    def _print_form(self, accepted: Accepted) -> None:
        """Render the A4 form (UI's renderer) and print it, both on the document printer's thread."""
        renderer = self.document_renderer
        ctx = self._ctx
        session = ctx.journey.session
        if renderer is None or session.form is None or not session.service.needs_a4:
            return
        printable = session.form.printable(ctx.language)
        meta = {"receipt_number": accepted.receipt_number, "service": session.service.title.text(ctx.language),
                "accepted_at": accepted.accepted_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                "hall": ctx.config.terminal.hall_name, "language": ctx.language}
        if session.materials is not None:  # what was scanned and attached, listed on the form
            meta["attachments"] = [{"name": item["name"], "pages": len(item["pages"])}
                                   for item in session.materials.view(ctx.language)]

        def render_and_print(printer: Any) -> Any:
            pdf = renderer(printable, meta)
            return pdf, printer.print_document(pdf, f"form-{accepted.receipt_number}")

        future = ctx.devices["document_printer"].submit(render_and_print)
        future.add_done_callback(lambda f: ctx.post(lambda: self._on_form_printed(f, accepted.receipt_number)))

    def _on_form_printed(self, future: Future[Any], receipt_number: str) -> None:
        try:
            pdf, result = future.result()
        except Exception as exc:
            log.warning("form of %s not printed: %s", receipt_number, type(exc).__name__)
            return
        self._form_jobs.append(result.job_id)
        session = self._ctx.journey.session
        if session.receipt_number == receipt_number:
            session.extras["form_pdf"] = pdf  # the citizen's copy, in memory until the wipe
        else:
            self.discard_form_jobs()  # the citizen has gone already

    def discard_form_jobs(self) -> None:
        """Delete what the document printer kept of this citizen's forms (e.g. simulator PDFs).

        Journey thread, once the devices are open.
        """
        jobs, self._form_jobs = self._form_jobs, []
        if jobs:
            def discard(printer: DocumentPrinter) -> None:
                for job in jobs:
                    printer.discard(job)
            self._ctx.devices["document_printer"].submit(discard)
